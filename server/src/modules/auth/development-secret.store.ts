import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../../config';

/** The file, beside the embedded database, that keeps a development server's own signing secret. */
export const DEVELOPMENT_SECRET_FILE = 'jwt-secret';

/** Where the secret of a configuration's data directory lives: the SQLite file's folder (./data by default). */
export function developmentSecretPath(config: Pick<AppConfig, 'database'>, sqlitePathWhenMysql = path.resolve('./data/wanjia.sqlite')): string {
  const databaseFile = config.database.kind === 'sqlite' ? config.database.path : sqlitePathWhenMysql;
  return path.join(path.dirname(databaseFile), DEVELOPMENT_SECRET_FILE);
}

/**
 * Outside production without JWT_SECRET, tokens are signed with a random secret made once per data
 * directory and kept in a file only its owner may read (0600), so that a restart keeps everyone signed
 * in. Never the secret published in the source: a token forged with that must not be an administrator.
 * Returns the configuration with that secret; unchanged when JWT_SECRET is set.
 */
export function withDevelopmentSecret(config: AppConfig): { config: AppConfig; secretFile: string | null; created: boolean } {
  if (!config.auth.usingDevelopmentSecret || config.nodeEnv === 'production') return { config, secretFile: null, created: false };
  const file = developmentSecretPath(config);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let created = false;
  let secret: string | null = null;
  let existed = true;
  try {
    secret = fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    existed = false;
  }
  if (!secret || secret.length < 32) {
    secret = randomBytes(48).toString('base64');
    try {
      // 'wx': two servers starting on one data directory at once must not each write their own
      // (an emptied or truncated file is replaced).
      fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: existed ? 'w' : 'wx' });
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      secret = fs.readFileSync(file, 'utf8').trim();
    }
  }
  // A file copied in with looser permissions is tightened: the secret signs administrators' tokens.
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  return { config: { ...config, auth: { ...config.auth, jwtSecret: secret } }, secretFile: file, created };
}

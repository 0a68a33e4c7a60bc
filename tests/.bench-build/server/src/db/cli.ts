import 'reflect-metadata';
import readline from 'node:readline/promises';
import { RegionLevel, Role } from '@wanjia/shared';
import { ConfigError, loadConfig } from '../config';
import { authService } from '../modules/auth/auth.service';
import { Region, childPath } from '../modules/regions/region.entity';
import { createLogger } from '../logger';
import { ensureDemoData } from './demo/ensure-demo-data';
import { createOrm, prepareSchema } from './orm';

const USAGE = [
  'usage: node dist/db/cli.js <command>',
  '  migrate                                   bring the schema up to date',
  '  seed                                      write the demo data set into an empty database',
  '  migration:create                          write a MySQL migration for entity changes (DATABASE_URL)',
  '  region:create-root <code> <name>          create the top of the region tree (e.g. 210500000000 本溪市)',
  '  account:create <username> <ADMIN|ANALYST> <region code>',
  '                                            create a sign-in account; the password comes from',
  '                                            WANJIA_PASSWORD or is asked for on the terminal',
].join('\n');

async function readPassword(): Promise<string> {
  if (process.env.WANJIA_PASSWORD) return process.env.WANJIA_PASSWORD;
  if (!process.stdin.isTTY) throw new Error('set WANJIA_PASSWORD, or run on a terminal to be asked for the password');
  const terminal = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await terminal.question('password (12 characters or more): ');
  } finally {
    terminal.close();
  }
}

/** Database chores: apply migrations, seed the demo data set, generate a MySQL migration from the entities. */
async function main(command: string | undefined): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const orm = await createOrm({ database: config.database, logger });
  try {
    switch (command) {
      case 'migrate':
        await prepareSchema(orm, config.database);
        logger.info({ database: config.database.kind }, 'schema is up to date');
        break;
      case 'seed': {
        await prepareSchema(orm, config.database);
        const result = await ensureDemoData(orm, logger);
        if (!result) logger.info('the database already holds data; the demo data set was not written');
        break;
      }
      case 'migration:create': {
        if (config.database.kind !== 'mysql') {
          throw new Error('migration:create diffs a MySQL database against the entities: set DATABASE_URL');
        }
        await prepareSchema(orm, config.database);
        const migration = await orm.getMigrator().createMigration();
        if (migration.diff.up.length === 0) {
          logger.info('the entities and the migrated schema agree; no migration written');
        } else {
          logger.info({ file: migration.fileName }, 'migration written: add it to src/db/migrations/index.ts');
        }
        break;
      }
      case 'region:create-root': {
        const [code, name] = process.argv.slice(3);
        if (!code || !/^\d{12}$/.test(code) || !name) throw new Error(USAGE);
        await prepareSchema(orm, config.database);
        const em = orm.em.fork();
        if (await em.count(Region, { parent: null })) throw new Error('the region tree already has its top; add regions with the createRegion mutation');
        const root = em.create(Region, { code, name, level: RegionLevel.CITY, path: childPath(null, code), depth: 0 });
        await em.flush();
        logger.info({ region: root.id, code, name }, 'region tree started');
        break;
      }
      case 'account:create': {
        const [username, role, regionCode] = process.argv.slice(3);
        if (!username || !regionCode || (role !== Role.ADMIN && role !== Role.ANALYST)) throw new Error(USAGE);
        await prepareSchema(orm, config.database);
        const em = orm.em.fork();
        const region = await em.findOne(Region, { code: regionCode });
        if (!region) throw new Error(`no region with code ${regionCode}`);
        const password = await readPassword();
        if (password.length < 12) throw new Error('the password must be at least 12 characters');
        const account = await authService.createStaffAccount(em, { username, password, role, scopeRegion: region }, null, 'cli');
        logger.info({ account: account.id, username, role, scope: region.name }, 'account created');
        break;
      }
      default:
        throw new Error(USAGE);
    }
  } finally {
    await orm.close(true);
  }
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

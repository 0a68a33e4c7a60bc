import { SignJWT } from 'jose';
import { Random as CityRandom } from '@wanjia/server/dist/seed/city/random';

/**
 * What the benchmark's three parts (data generator, baseline server, runner) must agree on: where the
 * database is and how tokens look (the operations are the mini-program's: documents.ts).
 */

/** The benchmark's own database; never a developer's. Dropped and rebuilt when it is not the full data set. */
export const DEFAULT_BENCH_DATABASE_URL = 'mariadb://root@127.0.0.1:3306/wanjia_bench';

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** The URL as the real server's DATABASE_URL wants it. */
  url: string;
}

/** Reads BENCH_DATABASE_URL. Only a loopback server is accepted: the benchmark sends traffic nowhere else. */
export function benchDatabase(environment: NodeJS.ProcessEnv = process.env): MysqlTarget {
  const url = environment.BENCH_DATABASE_URL?.trim() || DEFAULT_BENCH_DATABASE_URL;
  const parsed = new URL(url);
  if (!['mysql:', 'mariadb:'].includes(parsed.protocol)) throw new Error(`BENCH_DATABASE_URL: must be mysql://… or mariadb://…, not ${url}`);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname))
    throw new Error('BENCH_DATABASE_URL: the benchmark only talks to a database on this machine');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  // The generator drops and recreates this database: refuse any name that could be someone's real data.
  if (!/^[A-Za-z0-9_]*bench[A-Za-z0-9_]*$/.test(database)) throw new Error(`BENCH_DATABASE_URL: the database name must contain "bench" (got "${database}")`);
  return {
    host: parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname,
    port: Number(parsed.port || 3306),
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    database,
    url,
  };
}

/** The city generator's seeded PRNG, plus the client ids the benchmark's submissions carry. */
export class Random extends CityRandom {
  /** An RFC 4122 version-4 shaped id, as the mini-program's client ids are. */
  uuid(): string {
    // next() carries 32 random bits: draw each group separately rather than scaling one draw up.
    const hex = (digits: number) =>
      Math.floor(this.next() * 16 ** digits)
        .toString(16)
        .padStart(digits, '0');
    const variant = (8 + Math.floor(this.next() * 4)).toString(16);
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(6)}${hex(6)}`;
  }
}

// --- tokens -------------------------------------------------------------------------------------------

/** The claims server/src/modules/auth/token.service.ts signs and checks; a cadre's token carries no region scope. */
const ISSUER = 'wanjia';
const AUDIENCE = 'wanjia-api';

export interface CadreIdentity {
  accountId: number;
  cadreId: number;
}

/** Signs an access token exactly as the real server does for a cadre who signed in through WeChat. */
export async function signCadreToken(identity: CadreIdentity, secret: string, ttlSeconds = 3 * 60 * 60): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: 'CADRE', scp: null, sr: null, cd: identity.cadreId, gen: 0 })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(identity.accountId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

export const TOKEN_ISSUER = ISSUER;
export const TOKEN_AUDIENCE = AUDIENCE;

/** Where both servers report how many SQL statements they have sent since they started. */
export const SQL_COUNT_PATH = '/debug/sql-count';

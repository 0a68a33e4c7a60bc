import type http from 'node:http';
import { GraphQLError } from 'graphql';
import { jwtVerify } from 'jose';
import mysql, { type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { Redis } from 'ioredis';
// The real server's fallback secret, used when JWT_SECRET is unset, as there.
import { DEVELOPMENT_JWT_SECRET } from '@wanjia/server/dist/config';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from './common';

/** What both of the baseline's operations stand on: configuration, counted SQL, errors, the caller. */

// --- configuration ------------------------------------------------------------------------------------

export const DAY_MS = 24 * 60 * 60 * 1000;
/** As the real server: a phone's clock may run a little fast. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
export const MAX_RECORD_FEN = 1_000_000_000;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
export const OPEN_DEMAND_STATUSES = `'OPEN', 'IN_PROGRESS', 'REFERRED', 'ESCALATED'`;
export const HELP_KINDS = new Set(['VISIT', 'POLICY_EXPLANATION', 'PROBLEM_SOLVED', 'FUNDS', 'MATERIALS', 'REFERRAL']);

export interface RateBudget {
  points: number;
  durationSeconds: number;
}

export interface BaselineConfig {
  port: number;
  databaseUrl: string;
  jwtSecret: string;
  poolMax: number;
  intervals: { hardship: number; keyFocus: number; petitioner: number };
  /** The real server's days after an assignment ends during which its cadre may still record (HELP_RECORD_LATE_GRACE_DAYS). */
  lateGraceDays: number;
  /** The real server's budgets (RATE_LIMIT_*), in the same store: memory, or Redis when REDIS_URL is set. */
  rateLimits: {
    enabled: boolean;
    redisUrl: string | null;
    keyPrefix: string;
    writesPerAddress: RateBudget;
    recordsPerAccount: RateBudget;
    queriesPerCadre: RateBudget;
  };
}

export function configFrom(environment: NodeJS.ProcessEnv): BaselineConfig {
  const number = (name: string, fallback: number) => {
    const value = Number(environment[name] || fallback);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}: must be a positive whole number`);
    return value;
  };
  const databaseUrl = environment.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL: must be set (mariadb://root@127.0.0.1:3306/wanjia_bench)');
  const budget = (name: string, fallback: string): RateBudget => {
    const match = /^(\d+)\/(\d+)$/.exec(environment[name] || fallback);
    if (!match) throw new Error(`${name}: must look like 60/60 (requests per seconds)`);
    return { points: Number(match[1]), durationSeconds: Number(match[2]) };
  };
  return {
    port: number('PORT', 4100),
    databaseUrl,
    jwtSecret: environment.JWT_SECRET || DEVELOPMENT_JWT_SECRET,
    poolMax: number('DB_POOL_MAX', 10),
    intervals: {
      hardship: number('VISIT_INTERVAL_DAYS_HARDSHIP', 30),
      keyFocus: number('VISIT_INTERVAL_DAYS_KEY_FOCUS', 14),
      petitioner: number('VISIT_INTERVAL_DAYS_PETITIONER', 7),
    },
    lateGraceDays: Number(environment.HELP_RECORD_LATE_GRACE_DAYS || 7),
    rateLimits: {
      enabled: environment.RATE_LIMITS !== 'false',
      redisUrl: environment.REDIS_URL || null,
      keyPrefix: environment.RATE_LIMIT_KEY_PREFIX || 'wanjia-baseline',
      // The defaults are the real server's (server/src/config.ts).
      writesPerAddress: budget('RATE_LIMIT_WRITES_PER_ADDRESS', '600/60'),
      recordsPerAccount: budget('RATE_LIMIT_RECORDS_PER_ACCOUNT', '60/60'),
      queriesPerCadre: budget('RATE_LIMIT_QUERIES_PER_CADRE', '3000000/60'),
    },
  };
}

// --- database: every statement goes through `sql`, which counts it --------------------------------------

let statements = 0;

/** Statements sent since the process started (served at SQL_COUNT_PATH). */
export function statementCount(): number {
  return statements;
}

export type Queryable = Pool | PoolConnection;

/**
 * The text protocol with client-side escaping, as MikroORM's knex uses: one round trip per statement.
 * Prepared statements (mysql2's execute) measured no faster here (MariaDB re-plans them on every
 * execution) and add a PREPARE per statement and connection.
 */
export async function sql<T extends RowDataPacket[] | ResultSetHeader>(db: Queryable, text: string, params: unknown[] = []): Promise<T> {
  statements += 1;
  const [result] = await db.query<T>(text, params);
  return result;
}

export function poolFor(config: BaselineConfig): Pool {
  const url = new URL(config.databaseUrl);
  return mysql.createPool({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database: url.pathname.replace(/^\//, ''),
    connectionLimit: config.poolMax,
    // The database keeps UTC (as the real server writes it); DATETIME values come back as instants,
    // DATE values as the calendar days they are (the API's LocalDate).
    timezone: 'Z',
    dateStrings: ['DATE'],
    charset: 'utf8mb4',
  });
}

// --- errors shaped as the real server shapes them ---------------------------------------------------------

export function failure(code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'CONFLICT', message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: field ? { code, field } : { code } });
}

export function badInput(field: string, message: string): GraphQLError {
  return failure('BAD_USER_INPUT', message, field);
}

// --- authentication ---------------------------------------------------------------------------------------

export interface Caller {
  accountId: number;
  cadreId: number;
  clientAddress: string;
}

/** As the real server (auth/account-status.service.ts): what was last read of an account is trusted this long. */
export const ACCOUNT_STATUS_MAX_AGE_MS = 5_000;

interface AccountStanding {
  usable: boolean;
  sessionGeneration: number;
  readAt: number;
}

/**
 * The account-standing check the real server makes on every request: the account and its cadre are
 * active and the token is of the account's current session generation, read by primary key at most
 * once per account every ACCOUNT_STATUS_MAX_AGE_MS.
 */
export class AccountStandings {
  private readonly entries = new Map<number, AccountStanding>();

  constructor(private readonly pool: Pool) {}

  async usable(accountId: number, sessionGeneration: number, now = Date.now()): Promise<boolean> {
    let entry = this.entries.get(accountId);
    if (!entry || sessionGeneration > entry.sessionGeneration || now - entry.readAt >= ACCOUNT_STATUS_MAX_AGE_MS) {
      const [row] = await sql<RowDataPacket[]>(
        this.pool,
        'select a.active and c.active as usable, a.session_generation from user_account a join cadre c on c.id = a.cadre_id where a.id = ?',
        [accountId],
      );
      entry = { usable: Boolean(Number(row?.usable ?? 0)), sessionGeneration: Number(row?.session_generation ?? 0), readAt: now };
      if (this.entries.size >= 50_000) this.entries.clear();
      this.entries.set(accountId, entry);
    }
    return entry.usable && sessionGeneration === entry.sessionGeneration;
  }
}

/** The velocity limits the real server counts for these operations (graphql/limits/rate-limits.ts), in the same store. */
export class RateLimits {
  private readonly writesPerAddress: RateLimiterAbstract | null = null;
  private readonly recordsPerAccount: RateLimiterAbstract | null = null;
  private readonly queriesPerCadre: RateLimiterAbstract | null = null;
  private readonly redis: Redis | null = null;

  constructor(config: BaselineConfig['rateLimits']) {
    if (!config.enabled) return;
    this.redis = config.redisUrl ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : null;
    const limiter = (name: string, budget: RateBudget): RateLimiterAbstract => {
      const options = { keyPrefix: `${config.keyPrefix}:${name}`, points: budget.points, duration: budget.durationSeconds };
      const memory = new RateLimiterMemory(options);
      return this.redis ? new RateLimiterRedis({ ...options, storeClient: this.redis, rejectIfRedisNotReady: true, insuranceLimiter: memory }) : memory;
    };
    this.writesPerAddress = limiter('writesPerAddress', config.writesPerAddress);
    this.recordsPerAccount = limiter('recordsPerAccount', config.recordsPerAccount);
    this.queriesPerCadre = limiter('queriesPerCadre', config.queriesPerCadre);
  }

  /** A query costs its points against the cadre's budget; a submission one point per address and one per account. */
  async consume(kind: 'query' | 'mutation', caller: Caller, cost: number): Promise<void> {
    const charges: [RateLimiterAbstract | null, string, number][] =
      kind === 'query'
        ? [[this.queriesPerCadre, String(caller.accountId), Math.max(1, Math.ceil(cost))]]
        : [
            [this.writesPerAddress, caller.clientAddress, 1],
            [this.recordsPerAccount, String(caller.accountId), 1],
          ];
    for (const [limiter, key, points] of charges) {
      if (!limiter) continue;
      try {
        await limiter.consume(key, points);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) continue; // the store failed: let it through, as the real server
        const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new GraphQLError(`Too many requests; try again in ${seconds} s`, { extensions: { code: 'TOO_MANY_REQUESTS' } });
      }
    }
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

/** Verifies the real server's access token (HS256, issuer and audience) and the account's standing; only a cadre's token reaches these operations. */
export async function callerOf(request: http.IncomingMessage, key: Uint8Array, standings: AccountStandings): Promise<Caller> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization?.trim() ?? '');
  if (!match) throw failure('UNAUTHENTICATED', 'Sign in first');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(match[1]!, key, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, algorithms: ['HS256'] }));
  } catch {
    throw failure('UNAUTHENTICATED', 'The access token is invalid or expired');
  }
  const accountId = Number(payload.sub);
  const generation = payload.gen ?? 0;
  if (!Number.isSafeInteger(accountId) || !Number.isSafeInteger(generation)) throw failure('UNAUTHENTICATED', 'The access token is invalid or expired');
  if (!(await standings.usable(accountId, generation as number))) throw failure('UNAUTHENTICATED', 'This account can no longer sign in');
  if (payload.role !== 'CADRE' || typeof payload.cd !== 'number') throw failure('FORBIDDEN', 'Only cadres have households of their own');
  return { accountId, cadreId: payload.cd, clientAddress: request.socket.remoteAddress ?? 'unknown' };
}

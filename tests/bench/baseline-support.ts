import type http from 'node:http';
import { GraphQLError } from 'graphql';
import { jwtVerify } from 'jose';
import mysql, { type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
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

export interface BaselineConfig {
  port: number;
  databaseUrl: string;
  jwtSecret: string;
  poolMax: number;
  intervals: { hardship: number; keyFocus: number; petitioner: number };
}

export function configFrom(environment: NodeJS.ProcessEnv): BaselineConfig {
  const number = (name: string, fallback: number) => {
    const value = Number(environment[name] || fallback);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}: must be a positive whole number`);
    return value;
  };
  const databaseUrl = environment.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL: must be set (mariadb://root@127.0.0.1:3306/wanjia_bench)');
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
    // The database keeps UTC (as the real server writes it); DATETIME values come back as instants.
    timezone: 'Z',
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

/** Verifies the real server's access token (HS256, issuer and audience); only a cadre's token reaches the two operations. */
export async function callerOf(request: http.IncomingMessage, key: Uint8Array): Promise<Caller> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization?.trim() ?? '');
  if (!match) throw failure('UNAUTHENTICATED', 'Sign in first');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(match[1]!, key, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, algorithms: ['HS256'] }));
  } catch {
    throw failure('UNAUTHENTICATED', 'The access token is invalid or expired');
  }
  const accountId = Number(payload.sub);
  if (!Number.isSafeInteger(accountId) || payload.role !== 'CADRE' || typeof payload.cd !== 'number')
    throw failure('FORBIDDEN', 'Only cadres have households of their own');
  return { accountId, cadreId: payload.cd, clientAddress: request.socket.remoteAddress ?? 'unknown' };
}


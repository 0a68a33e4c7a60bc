import path from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable the server reads, parsed and checked here and nowhere else.
 * A bad value stops start-up with a message naming the variable.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const environmentSchema = z.object({
  PORT: z.coerce
    .number({ message: 'must be a port number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^(mysql|mariadb):\/\/[^/]+\/[^/?]+/, 'must look like mysql://user:password@host:3306/database')
    .optional(),
  SQLITE_PATH: z.string().min(1).default('./data/wanjia.sqlite'),
  NODE_ENV: z.enum(['development', 'production', 'test'], { message: 'must be development, production or test' }).default('development'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  DEMO_DATA: booleanFlag.optional(),
  DB_POOL_MAX: z.coerce.number({ message: 'must be a number' }).int().min(1).max(500).default(10),
  LOG_SQL: booleanFlag.default(false),
});

/** `mysql://` selects MikroORM's MySQL driver, `mariadb://` its MariaDB driver (which reads MariaDB's catalogue correctly). */
export type MysqlFlavor = 'mysql' | 'mariadb';

export type DatabaseConfig =
  | { kind: 'mysql'; flavor: MysqlFlavor; url: string; poolMax: number }
  | { kind: 'sqlite'; path: string };

export function mysqlFlavorOf(url: string): MysqlFlavor {
  return url.startsWith('mariadb:') ? 'mariadb' : 'mysql';
}

export interface AppConfig {
  port: number;
  host: string;
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: (typeof LOG_LEVELS)[number];
  logSql: boolean;
  database: DatabaseConfig;
  /** Fill an empty embedded database with the demo data set on start. */
  seedDemoData: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the configuration from an environment (process.env by default). Empty values count as unset. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(
    Object.entries(environment).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = parsed.data;
  const database: DatabaseConfig = env.DATABASE_URL
    ? { kind: 'mysql', flavor: mysqlFlavorOf(env.DATABASE_URL), url: env.DATABASE_URL, poolMax: env.DB_POOL_MAX }
    : { kind: 'sqlite', path: path.resolve(env.SQLITE_PATH) };
  return {
    port: env.PORT,
    host: env.HOST,
    nodeEnv: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    logSql: env.LOG_SQL,
    database,
    seedDemoData: env.DEMO_DATA ?? database.kind === 'sqlite',
  };
}

import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { NoticeKind } from '@wanjia/shared';

/**
 * Every environment variable the server reads, parsed and checked here and nowhere else.
 * A bad value stops start-up with a message naming the variable.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** "points/seconds", e.g. 60/60: at most 60 in any 60 seconds. */
const budget = z
  .string()
  .regex(/^\d+\/\d+$/, 'must look like 60/60 (requests per seconds)')
  .transform((value) => {
    const [points, seconds] = value.split('/').map(Number) as [number, number];
    return { points, durationSeconds: seconds };
  })
  .refine(({ points, durationSeconds }) => points >= 1 && durationSeconds >= 1 && durationSeconds <= 86_400, 'needs at least 1 request in 1 to 86400 seconds');

/** Express's names for address ranges (proxy-addr): 127.0.0.1/8 and ::1, 169.254/16 and fe80::/10, private ranges. */
const TRUST_PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'] as const;

function isProxyAddress(entry: string): boolean {
  if ((TRUST_PROXY_RANGES as readonly string[]).includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (family === 4 && isIP(prefix) === 4) return true; // a netmask such as 255.255.0.0
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which X-Forwarded-For entries to believe: none (false), the last n hops (a number), or those added by
 * the listed proxies (addresses, subnets, Express's names). `true` believed the left-most entry, which
 * the client writes itself: it is refused, not reinterpreted, so that an upgrade cannot silently keep
 * (or change) what the address means for the sign-in lock, the rate limits and the audit trail.
 */
const trustProxy = z.string().transform((value, context): TrustProxy => {
  const trimmed = value.trim().toLowerCase();
  if (['false', '0', 'no'].includes(trimmed)) return false;
  if (['true', 'yes'].includes(trimmed)) {
    context.addIssue({
      code: 'custom',
      message:
        'true is no longer accepted: it believed the left-most X-Forwarded-For address, which any client can write. Give the number of proxies in front of the server (e.g. 1) or their addresses (e.g. 10.0.0.5,10.1.0.0/16,loopback)',
    });
    return z.NEVER;
  }
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    if (hops > 10) {
      context.addIssue({ code: 'custom', message: 'must be 0 to 10 proxies, or a list of proxy addresses' });
      return z.NEVER;
    }
    return hops === 0 ? false : hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const wrong = entries.filter((entry) => !isProxyAddress(entry));
  if (wrong.length > 0) {
    context.addIssue({
      code: 'custom',
      message: `must be a number of proxies or a comma-separated list of addresses, subnets (10.1.0.0/16) or ${TRUST_PROXY_RANGES.join(', ')}; not ${wrong.map((entry) => JSON.stringify(entry)).join(', ')}`,
    });
    return z.NEVER;
  }
  return entries;
});

const QUERY_LIMIT_ROLES = ['ANONYMOUS', 'CADRE', 'ANALYST', 'ADMIN'] as const;
const queryLimitOverrides = z
  .string()
  .transform((value, context) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'must be JSON such as {"CADRE":{"depth":10}}' });
      return z.NEVER;
    }
  })
  .pipe(
    z.partialRecord(
      z.enum(QUERY_LIMIT_ROLES, { message: `roles are ${QUERY_LIMIT_ROLES.join(', ')}` }),
      z
        .object({
          depth: z.number().int().min(1).max(100),
          cost: z.number().int().min(1).max(1_000_000),
          aliases: z.number().int().min(0).max(1_000),
          directives: z.number().int().min(0).max(1_000),
          tokens: z.number().int().min(10).max(100_000),
        })
        .partial()
        .strict(),
    ),
  );

/** WeChat subscribe-message template ids (the mini-program's console lists them), one variable per notice kind. */
const TEMPLATE_VARIABLES = Object.values(NoticeKind).map((kind) => [kind, `WECHAT_TEMPLATE_${kind}`] as const);
const templateId = z
  .string()
  .regex(/^[\w-]{8,128}$/, 'must be a template id from the mini-program console (letters, digits, - and _)')
  .optional();

const environmentSchema = z.object({
  ...Object.fromEntries(TEMPLATE_VARIABLES.map(([, variable]) => [variable, templateId])),
  // Scheduled work (escalation sweep, WeChat delivery, weekly visit reminders); off under NODE_ENV=test.
  JOBS_ENABLED: booleanFlag.optional(),
  JOBS_INTERVAL_SECONDS: z.coerce
    .number({ message: 'must be a number of seconds' })
    .int()
    .min(5, 'must be 5 to 3600 seconds')
    .max(3600, 'must be 5 to 3600 seconds')
    .default(60),
  // The mini-program page a subscribe message opens (WeChat appends nothing; the notice's ids go in its query).
  WECHAT_MESSAGE_PAGE: z
    .string()
    .regex(/^[\w/-]{1,100}$/, 'must be a mini-program page path such as pages/notices/index')
    .default('pages/notices/index'),
  PORT: z.coerce
    .number({ message: 'must be a port number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(4000),
  // No default here: loopback outside production, every interface in production (see loadConfig).
  HOST: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^(mysql|mariadb):\/\/[^/]+\/[^/?]+/, 'must look like mysql://user:password@host:3306/database')
    .optional(),
  // Read replicas of DATABASE_URL (issue 17): analytics read from them; writes and a caller's reads after their own writes go to the primary.
  DATABASE_REPLICA_URLS: z
    .string()
    .regex(
      /^(mysql|mariadb):\/\/[^/,]+\/[^/?,]+[^,]*(,(mysql|mariadb):\/\/[^/,]+\/[^/?,]+[^,]*)*$/,
      'must be a comma-separated list of URLs such as mysql://reader:password@replica1:3306/database',
    )
    .optional(),
  // A replica further behind the primary than this is skipped (logged) and its reads go to the primary.
  DATABASE_REPLICA_MAX_LAG_SECONDS: z.coerce.number({ message: 'must be a number of seconds' }).int().min(1).max(86_400).default(30),
  // How often a transaction refused at commit by a conflict (a deadlock, Galera's certification) is run again.
  DATABASE_CONFLICT_RETRIES: z.coerce.number({ message: 'must be a number of retries' }).int().min(0).max(20).default(4),
  // Shared storage for photos and uploaded spreadsheets (issue 17): s3://bucket/optional/prefix on any
  // S3-compatible store (Tencent COS, Alibaba OSS, MinIO); unset, the local folders PHOTO_DIR and IMPORT_DIR.
  OBJECT_STORAGE_URL: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[\w.\/-]*)?$/, 'must look like s3://bucket or s3://bucket/prefix')
    .optional(),
  // The store's endpoint (COS: https://cos.ap-guangzhou.myqcloud.com, OSS: https://oss-cn-hangzhou.aliyuncs.com); unset: AWS's.
  OBJECT_STORAGE_ENDPOINT: z.string().url('must be a URL such as https://cos.ap-guangzhou.myqcloud.com').optional(),
  OBJECT_STORAGE_REGION: z.string().regex(/^[a-z0-9-]{2,40}$/, 'must be a region name such as ap-guangzhou').default('us-east-1'),
  OBJECT_STORAGE_ACCESS_KEY_ID: z.string().min(1).optional(),
  OBJECT_STORAGE_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  // Path-style addresses (endpoint/bucket/key) for stores without virtual-host buckets (MinIO, test servers).
  OBJECT_STORAGE_FORCE_PATH_STYLE: booleanFlag.default(false),
  SQLITE_PATH: z.string().min(1).default('./data/wanjia.sqlite'),
  NODE_ENV: z.enum(['development', 'production', 'test'], { message: 'must be development, production or test' }).default('development'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  DEMO_DATA: booleanFlag.optional(),
  DB_POOL_MAX: z.coerce.number({ message: 'must be a number' }).int().min(1).max(500).default(10),
  LOG_SQL: booleanFlag.default(false),
  JWT_SECRET: z
    .string()
    .refine((value) => Buffer.byteLength(value, 'utf8') >= 32, 'must be at least 32 bytes')
    .optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number({ message: 'must be a number of seconds' }).int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number({ message: 'must be a number of days' }).int().min(1).max(365).default(30),
  // An IDE session (cookies) lasts a working day however long REFRESH_TOKEN_TTL_DAYS is: office PCs are shared.
  IDE_SESSION_HOURS: z.coerce.number({ message: 'must be a number of hours' }).int().min(1).max(720).default(12),
  LOGIN_MAX_FAILURES: z.coerce.number({ message: 'must be a number' }).int().min(1).max(100).default(5),
  LOGIN_LOCK_SECONDS: z.coerce.number({ message: 'must be a number of seconds' }).int().min(1).max(86_400).default(900),
  WECHAT_API_BASE: z.string().url('must be a URL such as https://api.weixin.qq.com').default('https://api.weixin.qq.com'),
  WECHAT_APP_ID: z.string().min(1).optional(),
  WECHAT_APP_SECRET: z.string().min(1).optional(),
  PLAYGROUND: booleanFlag.optional(),
  INTROSPECTION: booleanFlag.optional(),
  TRUST_PROXY: trustProxy.default(false),
  VISIT_INTERVAL_DAYS_HARDSHIP: z.coerce.number({ message: 'must be a number of days' }).int().min(1).max(365).default(30),
  VISIT_INTERVAL_DAYS_KEY_FOCUS: z.coerce.number({ message: 'must be a number of days' }).int().min(1).max(365).default(14),
  VISIT_INTERVAL_DAYS_PETITIONER: z.coerce.number({ message: 'must be a number of days' }).int().min(1).max(365).default(7),
  PHOTO_DIR: z.string().min(1).default('./data/photos'),
  PHOTO_MAX_BYTES: z.coerce.number({ message: 'must be a number of bytes' }).int().min(10_000).max(50_000_000).default(8_000_000),
  // Photos are re-encoded no larger than this on their longer side: a 4000 px phone photo shrinks to a quarter of its bytes.
  PHOTO_MAX_EDGE: z.coerce.number({ message: 'must be a number of pixels' }).int().min(320).max(8_000).default(2_560),
  // A day's quota per account: a cadre visits a dozen households and takes a few photos at each.
  PHOTO_UPLOADS_PER_DAY: z.coerce.number({ message: 'must be a number of photos' }).int().min(1).max(100_000).default(200),
  /** Refusals of an already registered ID number one account may receive in any 24 hours (each is audited). */
  DUPLICATE_ID_HITS_PER_DAY: z.coerce.number({ message: 'must be a number of refusals' }).int().min(1).max(1000).default(5),
  /** How long after an assignment ended a record of a visit made during it may still arrive (the offline outbox). */
  HELP_RECORD_LATE_GRACE_DAYS: z.coerce.number({ message: 'must be a number of days' }).int().min(0).max(60).default(7),
  // Imports (issue 16): the uploaded spreadsheets are kept here for the check, the commit's resume and the report.
  IMPORT_DIR: z.string().min(1).default('./data/imports'),
  IMPORT_MAX_BYTES: z.coerce.number({ message: 'must be a number of bytes' }).int().min(10_000).max(500_000_000).default(20_000_000),
  IMPORT_MAX_ROWS: z.coerce.number({ message: 'must be a number of rows' }).int().min(10).max(2_000_000).default(200_000),
  /** Cross-district duplicate findings one account may be told in any 24 hours (each is audited with a keyed hash). */
  IMPORT_ELSEWHERE_PER_DAY: z.coerce.number({ message: 'must be a number of findings' }).int().min(0).max(100_000).default(200),
  PHOTO_UPLOAD_BYTES_PER_DAY: z.coerce.number({ message: 'must be a number of bytes' }).int().min(100_000).max(100_000_000_000).default(300_000_000),
  COUNT_SQL: booleanFlag.default(false),
  DEV_SIGN_IN: booleanFlag.default(false),
  SAFELIST_MODE: z.enum(['enforce', 'off'], { message: 'must be enforce or off' }).optional(),
  QUERY_LIMITS: queryLimitOverrides.optional(),
  BODY_MAX_BYTES: z.coerce.number({ message: 'must be a number of bytes' }).int().min(10_000).max(50_000_000).default(1_000_000),
  RATE_LIMITS: booleanFlag.optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must look like redis://127.0.0.1:6379')
    .optional(),
  RATE_LIMIT_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, 'must be 1-64 letters, digits or :._-')
    .default('wanjia:rate'),
  // Generous: carriers' NAT puts many phones behind one address, and token refreshes count here too.
  RATE_LIMIT_SIGN_IN_PER_ADDRESS: budget.default({ points: 120, durationSeconds: 60 }),
  RATE_LIMIT_SIGN_IN_PER_ACCOUNT: budget.default({ points: 10, durationSeconds: 60 }),
  RATE_LIMIT_WRITES_PER_ACCOUNT: budget.default({ points: 30, durationSeconds: 60 }),
  RATE_LIMIT_RECORDS_PER_ACCOUNT: budget.default({ points: 60, durationSeconds: 60 }),
  RATE_LIMIT_WRITES_PER_ADDRESS: budget.default({ points: 600, durationSeconds: 60 }),
  // Reads count their cost (the query-limit measure with the request's variables), per signed-in account.
  // Staff: twelve of the largest requests they may send (25,000) a minute.
  RATE_LIMIT_QUERIES_PER_ACCOUNT: budget.default({ points: 300_000, durationSeconds: 60 }),
  // A cadre's own budget: the caseload refresh (≈ 1.9 million, at most every 5 minutes) and the screens
  // opened meanwhile. Separate, so that the cadre's large limit does not widen the staff's.
  RATE_LIMIT_QUERIES_PER_CADRE: budget.default({ points: 3_000_000, durationSeconds: 60 }),
  // Before sign-in, per address: the mini-program's first screens and the IDE's sign-in.
  RATE_LIMIT_QUERIES_PER_ADDRESS: budget.default({ points: 50_000, durationSeconds: 60 }),
  // Every photo upload attempt, stored or not (each may cost a decode of up to 25 MP): an outbox sends a
  // day's queue (a dozen visits, up to 9 photos each) in a few minutes.
  RATE_LIMIT_PHOTO_UPLOADS_PER_ACCOUNT: budget.default({ points: 60, durationSeconds: 600 }),
  RATE_LIMIT_PHOTO_UPLOADS_PER_ADDRESS: budget.default({ points: 600, durationSeconds: 600 }),
  // The origin browsers reach this server at when a proxy stands in front of it (the cadre app's API address).
  PUBLIC_URL: z
    .string()
    .url('must be an origin such as https://wanjia.example.gov.cn')
    .refine((value) => {
      if (!URL.canParse(value)) return false;
      const url = new URL(value);
      return (
        (url.protocol === 'http:' || url.protocol === 'https:') && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !url.username
      );
    }, 'must be an origin (http or https, a host and an optional port, no path), such as https://wanjia.example.gov.cn')
    .optional(),
  // The cadre app's h5 build, served at /app/ when the folder exists (pnpm --filter @wanjia/miniprogram build:h5).
  CADRE_APP_DIR: z.string().min(1).optional(),
  CORS_ORIGINS: z
    .string()
    .regex(/^https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*$/, 'must be a comma-separated list of origins such as http://localhost:10086')
    .optional(),
});

/**
 * The secret every build used outside production until issue 11: it is in this repository, so a token
 * signed with it can be forged by anyone. It is never used now, and refused as JWT_SECRET everywhere.
 */
export const DEVELOPMENT_JWT_SECRET = 'wanjia-development-only-secret-do-not-use-in-production';

/**
 * Secrets everybody can read (this repository, its documentation): a production server signing tokens
 * with one of them would accept tokens forged by anyone.
 */
const WELL_KNOWN_SECRETS = new Set([DEVELOPMENT_JWT_SECRET, 'change-me-to-a-long-random-secret-of-32-characters']);

function secretProblem(secret: string): string | null {
  if (WELL_KNOWN_SECRETS.has(secret)) return 'JWT_SECRET: is a published example or the development secret; generate one (openssl rand -base64 48)';
  if (new Set(secret).size < 8) return 'JWT_SECRET: is too uniform to be a secret; generate one (openssl rand -base64 48)';
  return null;
}

/** Per-role caps on what one operation may ask (graphql-armor's measures). */
export interface QueryLimits {
  depth: number;
  /**
   * graphql-armor's cost (objects 2, scalars 1, ×1.5 per level) × each page's size: a literal `first`, a
   * variable's coerced value, the default page size when left out (graphql/limits/query-cost.ts).
   */
  cost: number;
  aliases: number;
  directives: number;
  tokens: number;
}

export type QueryLimitRole = (typeof QUERY_LIMIT_ROLES)[number];

/**
 * Defaults sized on what legitimate callers send, with room to spare: the mini-program's documents (the
 * deepest, MyCaseload, measures depth 11, the cadre's limit; the longest ≈ 200 tokens), a full page (`first` multiplies cost,
 * literal or variable: a page of 100 with a dozen fields ≈ 3,500) and, for the staff, analytics and the
 * playground's introspection (its __schema is not counted for depth and cost; ≈ 185 tokens). What cost
 * stops is pages nested in pages.
 * A cadre's largest request is the caseload refresh (MyCaseload: 100 households' files with their first 10
 * records, priced as the 100 household(id) requests it replaces, query-cost.ts REROOTED_FIELDS): ≈ 1.9
 * million; 14 statements, 527 kB and 0.7-1.4 s on the loaded 2-core test machine (server/test/caseload.test.ts
 * prints them). The
 * cadre's 2,500,000 takes it with room for a few more fields and refuses the same with 20 records a
 * household; every other persisted operation runs at any page size the lists accept (HouseholdFile at 100
 * records ≈ 150,000). Under the production safelist a cadre can send nothing else.
 * The staff's 25,000 (50,000 before page sizes in variables counted) is what keeps one request from
 * holding the event loop, with each page counted as a database statement (graphql/limits/query-cost.ts): 100
 * households × 18 records each held /healthz 1.1 s on the demo data; now at most ≈ 37 nested pages fit
 * (≈ 0.25 s), and a full page of households with their residents, demands and cases stays well below.
 */
export const DEFAULT_QUERY_LIMITS: Record<QueryLimitRole, QueryLimits> = {
  ANONYMOUS: { depth: 8, cost: 5_000, aliases: 2, directives: 5, tokens: 300 },
  CADRE: { depth: 11, cost: 2_500_000, aliases: 10, directives: 10, tokens: 1_000 },
  ANALYST: { depth: 15, cost: 25_000, aliases: 30, directives: 30, tokens: 5_000 },
  ADMIN: { depth: 15, cost: 25_000, aliases: 30, directives: 30, tokens: 5_000 },
};

export interface RateBudget {
  points: number;
  durationSeconds: number;
}

/** `mysql://` selects MikroORM's MySQL driver, `mariadb://` its MariaDB driver (which reads MariaDB's catalogue correctly). */
export type MysqlFlavor = 'mysql' | 'mariadb';

export type DatabaseConfig =
  | {
      kind: 'mysql';
      flavor: MysqlFlavor;
      url: string;
      poolMax: number;
      /** Read replicas of `url` (same flavor), for analytics; empty: everything reads the primary. */
      replicaUrls: string[];
      /** A replica further behind than this is skipped for the primary. */
      replicaMaxLagSeconds: number;
      /** Runs again of a transaction refused at commit by a conflict (deadlock, Galera certification). */
      conflictRetries: number;
    }
  | { kind: 'sqlite'; path: string };

/** Where photos and uploaded spreadsheets are kept: the local folders (embedded default) or an S3-compatible bucket. */
export type ObjectStorageConfig =
  | { kind: 'local' }
  | {
      kind: 's3';
      bucket: string;
      /** Key prefix inside the bucket, without leading or trailing slashes ('' for none). */
      prefix: string;
      /** null: the SDK's default (AWS) endpoint. */
      endpoint: string | null;
      region: string;
      /** null: the SDK's default credential chain (environment, instance role). */
      accessKeyId: string | null;
      secretAccessKey: string | null;
      forcePathStyle: boolean;
    };

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
  auth: {
    jwtSecret: string;
    /** True when JWT_SECRET is unset and a generated secret is in use (never in production). */
    usingDevelopmentSecret: boolean;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    /** How long an IDE sign-in (the cookie session of /ide/session) lasts at most; never beyond refreshTokenTtlDays. */
    ideSessionHours: number;
    loginMaxFailures: number;
    loginLockSeconds: number;
  };
  wechat: { apiBase: string; appId: string | null; appSecret: string | null };
  /** WeChat subscribe messages: the template id of each kind (a kind without one is only an in-app notice), the page they open. */
  notices: { templates: Partial<Record<NoticeKind, string>>; page: string };
  /** The scheduler main.ts starts (never createApp): every instance ticks, a database lease picks one runner per job. */
  jobs: { enabled: boolean; intervalSeconds: number };
  /** Serve the GraphQL IDE at /graphql to browsers (follows INTROSPECTION unless PLAYGROUND says otherwise). */
  playground: boolean;
  /** Off by default in production; main.ts warns at start when INTROSPECTION=true switches it on there. */
  introspection: boolean;
  /**
   * Behind reverse proxies: which X-Forwarded-For entries to believe for the client address (the sign-in
   * lock, the rate limits and the audit trail use it): a number of hops, or the proxies' addresses.
   */
  trustProxy: TrustProxy;
  /** How often each target group is visited; a household takes the shortest interval that applies. */
  visitIntervals: VisitIntervals;
  photos: {
    dir: string;
    maxBytes: number;
    /** Longest side, in pixels, of a stored (re-encoded) photo. */
    maxEdge: number;
    /** What one account may upload in any 24 hours: photos stored, and their stored bytes. */
    uploadsPerDay: number;
    uploadBytesPerDay: number;
  };
  /**
   * The duplicate-ID-number check is an oracle for whether a person is registered: each refusal is
   * audited (with a keyed hash, never the number) and one account hears at most this many per 24 hours.
   */
  duplicateIdHitsPerDay: number;
  /** Days after an assignment ended during which the cadre's late records (made before the end) still land. */
  helpRecordLateGraceDays: number;
  /** Shared storage for photos and import files (OBJECT_STORAGE_URL); local: photos.dir and imports.dir. */
  objectStorage: ObjectStorageConfig;
  /** Spreadsheet imports (issue 16): where uploads are kept, how large a file and how many rows, cross-district findings per account and day. */
  imports: { dir: string; maxBytes: number; maxRows: number; elsewherePerDay: number };
  /** Count SQL statements and serve the count at /debug/sql-count (benchmarks only). */
  countSql: boolean;
  /** Sign in as a demo cadre without WeChat (the h5 build, demos and tests); refused in production. */
  devSignIn: boolean;
  /** Browser origins allowed to call the API (the mini-program's h5 build on another port). */
  corsOrigins: string[];
  /**
   * The origin browsers reach this server at (PUBLIC_URL, behind a proxy), without a trailing slash; null:
   * the origin each request came to (its Host, or with TRUST_PROXY the trusted proxy's X-Forwarded-Host/-Proto).
   */
  publicUrl: string | null;
  /** The cadre app's h5 build (CADRE_APP_DIR), served at /app/ when the folder holds an index.html. */
  cadreAppDir: string;
  /** Largest request body on /graphql. */
  bodyMaxBytes: number;
  /** enforce: cadres and anonymous callers run only the mini-program's persisted operations. */
  safelistMode: 'enforce' | 'off';
  queryLimits: Record<QueryLimitRole, QueryLimits>;
  rateLimits: {
    enabled: boolean;
    /** Shared by every instance when set; in memory (per instance) otherwise or while Redis is down. */
    redisUrl: string | null;
    keyPrefix: string;
    signInPerAddress: RateBudget;
    signInPerAccount: RateBudget;
    writesPerAccount: RateBudget;
    /** submitHelpRecord: an offline outbox sends a burst when the signal comes back. */
    recordsPerAccount: RateBudget;
    writesPerAddress: RateBudget;
    /** Queries by cost, per signed-in staff account (administrators and analysts). */
    queriesPerAccount: RateBudget;
    /** Queries by cost, per cadre account. */
    queriesPerCadre: RateBudget;
    /** Queries by cost before sign-in, per client address. */
    queriesPerAddress: RateBudget;
    /** Photo upload attempts (POST /uploads/photos), whatever their outcome, per account and per address. */
    photoUploadsPerAccount: RateBudget;
    photoUploadsPerAddress: RateBudget;
  };
}

/** Express's `trust proxy`: false, a number of hops, or proxy addresses and subnets. */
export type TrustProxy = false | number | string[];

export interface VisitIntervals {
  hardship: number;
  keyFocus: number;
  /** Petitioners with an open petition case. */
  petitioner: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the configuration from an environment (process.env by default). Empty values count as unset. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = parsed.data;
  const problems: string[] = [];
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET) problems.push('JWT_SECRET: must be set in production (32 characters or more)');
  if (env.JWT_SECRET && (env.NODE_ENV === 'production' || WELL_KNOWN_SECRETS.has(env.JWT_SECRET))) {
    const problem = secretProblem(env.JWT_SECRET);
    if (problem) problems.push(problem);
  }
  if (env.NODE_ENV === 'production' && env.DEMO_DATA === true) {
    problems.push(
      'DEMO_DATA: the demo data set signs in with passwords published in the README; production cannot start with it. Unset DEMO_DATA and create accounts with `node server/dist/cli.js account:create`',
    );
  }
  if (Boolean(env.WECHAT_APP_ID) !== Boolean(env.WECHAT_APP_SECRET)) {
    problems.push(`${env.WECHAT_APP_ID ? 'WECHAT_APP_SECRET' : 'WECHAT_APP_ID'}: WECHAT_APP_ID and WECHAT_APP_SECRET must be set together`);
  }
  if (env.NODE_ENV === 'production' && env.DEV_SIGN_IN) problems.push('DEV_SIGN_IN: the development sign-in cannot be switched on in production');
  // Off in production unless asked for: with it on, anyone may read the whole schema (anonymous callers
  // included, for the IDE's first screen), which also makes hiding the suggestions pointless.
  const introspection = env.INTROSPECTION ?? env.NODE_ENV !== 'production';
  if (env.PLAYGROUND === true && !introspection)
    problems.push(
      env.INTROSPECTION === false
        ? 'PLAYGROUND: the IDE needs INTROSPECTION; switch both off or leave INTROSPECTION on'
        : 'PLAYGROUND: the IDE needs INTROSPECTION, which is off by default in production; set INTROSPECTION=true as well',
    );
  const queryLimits = Object.fromEntries(QUERY_LIMIT_ROLES.map((role) => [role, { ...DEFAULT_QUERY_LIMITS[role], ...env.QUERY_LIMITS?.[role] }])) as Record<
    QueryLimitRole,
    QueryLimits
  >;
  // A read budget smaller than one request's largest allowed cost would refuse that request for ever.
  const largestStaffCost = Math.max(queryLimits.ANALYST.cost, queryLimits.ADMIN.cost);
  if (env.RATE_LIMIT_QUERIES_PER_ACCOUNT.points < largestStaffCost)
    problems.push(`RATE_LIMIT_QUERIES_PER_ACCOUNT: must allow at least the staff's largest query cost limit (${largestStaffCost}) per period`);
  if (env.RATE_LIMIT_QUERIES_PER_CADRE.points < queryLimits.CADRE.cost)
    problems.push(`RATE_LIMIT_QUERIES_PER_CADRE: must allow at least the cadre's query cost limit (${queryLimits.CADRE.cost}) per period`);
  if (env.RATE_LIMIT_QUERIES_PER_ADDRESS.points < queryLimits.ANONYMOUS.cost)
    problems.push(`RATE_LIMIT_QUERIES_PER_ADDRESS: must allow at least the anonymous query cost limit (${queryLimits.ANONYMOUS.cost}) per period`);
  if (env.DATABASE_REPLICA_URLS && !env.DATABASE_URL) problems.push('DATABASE_REPLICA_URLS: replicas need their primary in DATABASE_URL');
  if (env.OBJECT_STORAGE_URL && Boolean(env.OBJECT_STORAGE_ACCESS_KEY_ID) !== Boolean(env.OBJECT_STORAGE_SECRET_ACCESS_KEY)) {
    problems.push(
      `${env.OBJECT_STORAGE_ACCESS_KEY_ID ? 'OBJECT_STORAGE_SECRET_ACCESS_KEY' : 'OBJECT_STORAGE_ACCESS_KEY_ID'}: OBJECT_STORAGE_ACCESS_KEY_ID and OBJECT_STORAGE_SECRET_ACCESS_KEY must be set together`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const database: DatabaseConfig = env.DATABASE_URL
    ? {
        kind: 'mysql',
        flavor: mysqlFlavorOf(env.DATABASE_URL),
        url: env.DATABASE_URL,
        poolMax: env.DB_POOL_MAX,
        replicaUrls: env.DATABASE_REPLICA_URLS ? env.DATABASE_REPLICA_URLS.split(',') : [],
        replicaMaxLagSeconds: env.DATABASE_REPLICA_MAX_LAG_SECONDS,
        conflictRetries: env.DATABASE_CONFLICT_RETRIES,
      }
    : { kind: 'sqlite', path: path.resolve(env.SQLITE_PATH) };
  const objectStorageUrl = env.OBJECT_STORAGE_URL ? new URL(env.OBJECT_STORAGE_URL) : null;
  const objectStorage: ObjectStorageConfig = objectStorageUrl
    ? {
        kind: 's3',
        bucket: objectStorageUrl.hostname,
        prefix: objectStorageUrl.pathname.replace(/^\/+|\/+$/g, ''),
        endpoint: env.OBJECT_STORAGE_ENDPOINT ?? null,
        region: env.OBJECT_STORAGE_REGION,
        accessKeyId: env.OBJECT_STORAGE_ACCESS_KEY_ID ?? null,
        secretAccessKey: env.OBJECT_STORAGE_SECRET_ACCESS_KEY ?? null,
        forcePathStyle: env.OBJECT_STORAGE_FORCE_PATH_STYLE,
      }
    : { kind: 'local' };
  return {
    port: env.PORT,
    // Development and tests listen on this machine only: on a shared network nobody else reaches the
    // demo accounts, the development sign-in or the IDE. Production listens everywhere (behind its proxy).
    host: env.HOST ?? (env.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    nodeEnv: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    logSql: env.LOG_SQL,
    database,
    seedDemoData: env.DEMO_DATA ?? (database.kind === 'sqlite' && env.NODE_ENV !== 'production'),
    auth: {
      // Without JWT_SECRET (never in production): a random secret, never a published one. main.ts
      // replaces it with the one kept in the data directory, so that tokens survive restarts.
      jwtSecret: env.JWT_SECRET ?? randomBytes(48).toString('base64'),
      usingDevelopmentSecret: !env.JWT_SECRET,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      ideSessionHours: env.IDE_SESSION_HOURS,
      loginMaxFailures: env.LOGIN_MAX_FAILURES,
      loginLockSeconds: env.LOGIN_LOCK_SECONDS,
    },
    wechat: { apiBase: env.WECHAT_API_BASE.replace(/\/$/, ''), appId: env.WECHAT_APP_ID ?? null, appSecret: env.WECHAT_APP_SECRET ?? null },
    notices: {
      templates: Object.fromEntries(
        TEMPLATE_VARIABLES.flatMap(([kind, variable]) => {
          const id = (env as Record<string, unknown>)[variable];
          return typeof id === 'string' ? [[kind, id]] : [];
        }),
      ) as Partial<Record<NoticeKind, string>>,
      page: env.WECHAT_MESSAGE_PAGE,
    },
    jobs: { enabled: env.JOBS_ENABLED ?? env.NODE_ENV !== 'test', intervalSeconds: env.JOBS_INTERVAL_SECONDS },
    playground: env.PLAYGROUND ?? introspection,
    introspection,
    trustProxy: env.TRUST_PROXY,
    visitIntervals: {
      hardship: env.VISIT_INTERVAL_DAYS_HARDSHIP,
      keyFocus: env.VISIT_INTERVAL_DAYS_KEY_FOCUS,
      petitioner: env.VISIT_INTERVAL_DAYS_PETITIONER,
    },
    photos: {
      dir: path.resolve(env.PHOTO_DIR),
      maxBytes: env.PHOTO_MAX_BYTES,
      maxEdge: env.PHOTO_MAX_EDGE,
      uploadsPerDay: env.PHOTO_UPLOADS_PER_DAY,
      uploadBytesPerDay: env.PHOTO_UPLOAD_BYTES_PER_DAY,
    },
    duplicateIdHitsPerDay: env.DUPLICATE_ID_HITS_PER_DAY,
    helpRecordLateGraceDays: env.HELP_RECORD_LATE_GRACE_DAYS,
    objectStorage,
    imports: { dir: path.resolve(env.IMPORT_DIR), maxBytes: env.IMPORT_MAX_BYTES, maxRows: env.IMPORT_MAX_ROWS, elsewherePerDay: env.IMPORT_ELSEWHERE_PER_DAY },
    countSql: env.COUNT_SQL,
    devSignIn: env.DEV_SIGN_IN,
    corsOrigins: env.CORS_ORIGINS ? env.CORS_ORIGINS.split(',') : [],
    publicUrl: env.PUBLIC_URL ? new URL(env.PUBLIC_URL).origin : null,
    // Beside the server in the repository (server/src or server/dist → miniprogram/dist/h5) unless told otherwise.
    cadreAppDir: env.CADRE_APP_DIR ? path.resolve(env.CADRE_APP_DIR) : path.resolve(__dirname, '..', '..', 'miniprogram', 'dist', 'h5'),
    bodyMaxBytes: env.BODY_MAX_BYTES,
    safelistMode: env.SAFELIST_MODE ?? (env.NODE_ENV === 'production' ? 'enforce' : 'off'),
    queryLimits,
    rateLimits: {
      // Off under NODE_ENV=test, where suites send hundreds of operations from one address; the
      // rate-limit tests switch it on.
      enabled: env.RATE_LIMITS ?? env.NODE_ENV !== 'test',
      redisUrl: env.REDIS_URL ?? null,
      keyPrefix: env.RATE_LIMIT_KEY_PREFIX,
      signInPerAddress: env.RATE_LIMIT_SIGN_IN_PER_ADDRESS,
      signInPerAccount: env.RATE_LIMIT_SIGN_IN_PER_ACCOUNT,
      writesPerAccount: env.RATE_LIMIT_WRITES_PER_ACCOUNT,
      recordsPerAccount: env.RATE_LIMIT_RECORDS_PER_ACCOUNT,
      writesPerAddress: env.RATE_LIMIT_WRITES_PER_ADDRESS,
      queriesPerAccount: env.RATE_LIMIT_QUERIES_PER_ACCOUNT,
      queriesPerCadre: env.RATE_LIMIT_QUERIES_PER_CADRE,
      queriesPerAddress: env.RATE_LIMIT_QUERIES_PER_ADDRESS,
      photoUploadsPerAccount: env.RATE_LIMIT_PHOTO_UPLOADS_PER_ACCOUNT,
      photoUploadsPerAddress: env.RATE_LIMIT_PHOTO_UPLOADS_PER_ADDRESS,
    },
  };
}

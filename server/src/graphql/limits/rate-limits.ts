import { HeaderMap } from '@apollo/server';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppConfig, RateBudget } from '../../config';
import { TooManyRequestsError } from '../../core/errors';
import type { ExecutedRootField } from './executed-fields';
import type { Logger } from '../../logger';
import { isCadre, type Actor } from '../../core/caller';

/**
 * Velocity limits on sign-in, on writes and on reads, per account and per client address. They sit
 * beside the login lockout (auth/login-throttle, which counts failures in the database): these count
 * every attempt and every write, successful or not, and every read by its cost, so that no one account
 * or address can flood the API. They count the root fields that will execute (graphql-js's own field
 * collection with the coerced variables), not the document's text.
 */

/** Mutations that sign in or renew a sign-in: counted per address (and `login` per account name). */
export const SIGN_IN_FIELDS: ReadonlySet<string> = new Set(['login', 'wechatLogin', 'bindWechat', 'refreshToken', 'developmentSignIn']);

/** A cadre's outbox sends its queued records in a burst when the signal returns: a budget of its own. */
export const RECORD_FIELDS: ReadonlySet<string> = new Set(['submitHelpRecord']);

export type BudgetName =
  | 'signInPerAddress'
  | 'signInPerAccount'
  | 'writesPerAccount'
  | 'recordsPerAccount'
  | 'writesPerAddress'
  | 'queriesPerAccount'
  | 'queriesPerCadre'
  | 'queriesPerAddress'
  | 'photoUploadsPerAccount'
  | 'photoUploadsPerAddress';

/** One operation as it will execute, and what it costs (the request's cost, with its variables). */
export interface RateLimitedOperation {
  kind: 'query' | 'mutation' | 'subscription';
  rootFields: readonly ExecutedRootField[];
  cost: number;
}

export interface RateLimitDependencies {
  config: AppConfig['rateLimits'];
  logger: Logger;
}

export interface RateLimits {
  /**
   * Counts an operation against its budgets; throws TOO_MANY_REQUESTS when one is spent. A mutation
   * counts one point per root field that runs; a query its cost (signed in: per account, else per address).
   */
  consume(operation: RateLimitedOperation, actor: Actor | null, clientAddress: string): Promise<void>;
  /**
   * Counts one photo upload attempt (POST /uploads/photos), whatever its outcome: refused, undecodable,
   * a re-upload or stored. Each one may cost a decode of the largest accepted image. Throws
   * TOO_MANY_REQUESTS (extensions.limit names the budget) when a budget is spent.
   */
  consumePhotoUpload(actor: Actor, clientAddress: string): Promise<void>;
  /** Where the counts live right now: shared in Redis, or this instance's memory. */
  backend(): 'redis' | 'memory' | 'off';
  close(): Promise<void>;
}

interface Charge {
  budget: BudgetName;
  key: string;
  points: number;
}

/** The rate limits as configured: off, in memory, or in Redis with this instance's memory as insurance. */
export function createRateLimits({ config, logger }: RateLimitDependencies): RateLimits {
  if (!config.enabled) {
    return { consume: async () => undefined, consumePhotoUpload: async () => undefined, backend: () => 'off', close: async () => undefined };
  }
  const redis = config.redisUrl ? connectRedis(config.redisUrl, logger) : null;
  const limiters = new Map<BudgetName, RateLimiterAbstract>();
  const budgets: Record<BudgetName, RateBudget> = {
    signInPerAddress: config.signInPerAddress,
    signInPerAccount: config.signInPerAccount,
    writesPerAccount: config.writesPerAccount,
    recordsPerAccount: config.recordsPerAccount,
    writesPerAddress: config.writesPerAddress,
    queriesPerAccount: config.queriesPerAccount,
    queriesPerCadre: config.queriesPerCadre,
    queriesPerAddress: config.queriesPerAddress,
    photoUploadsPerAccount: config.photoUploadsPerAccount,
    photoUploadsPerAddress: config.photoUploadsPerAddress,
  };
  for (const [name, budget] of Object.entries(budgets) as [BudgetName, RateBudget][]) {
    const options = { keyPrefix: `${config.keyPrefix}:${name}`, points: budget.points, duration: budget.durationSeconds };
    const memory = new RateLimiterMemory(options);
    limiters.set(
      name,
      redis
        ? // While Redis is unreachable each instance counts on its own: looser, but sign-in never stops on it.
          new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: memory })
        : memory,
    );
  }

  async function spend(charges: readonly Charge[], actor: Actor | null, clientAddress: string): Promise<void> {
    for (const charge of charges) {
      const limiter = limiters.get(charge.budget)!;
      try {
        await limiter.consume(charge.key, charge.points);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) {
          // The store failed and no insurance answered: let the request through rather than block everybody.
          logger.error({ err: rejection, budget: charge.budget }, 'rate limiter failed; request let through');
          continue;
        }
        const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        logger.warn(
          { budget: charge.budget, role: actor?.role ?? 'ANONYMOUS', accountId: actor?.accountId ?? null, clientAddress, retryAfterSeconds },
          'rate limit reached',
        );
        throw new TooManyRequestsError(retryAfterSeconds, `Too many requests; try again in ${retryAfterSeconds} s`, {
          limit: charge.budget,
          http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
        });
      }
    }
  }

  return {
    consume: (operation, actor, clientAddress) => spend(chargesFor(operation, actor, clientAddress), actor, clientAddress),
    consumePhotoUpload: (actor, clientAddress) =>
      spend(
        [
          { budget: 'photoUploadsPerAccount', key: String(actor.accountId), points: 1 },
          { budget: 'photoUploadsPerAddress', key: clientAddress, points: 1 },
        ],
        actor,
        clientAddress,
      ),
    backend: () => (redis ? (redis.status === 'ready' ? 'redis' : 'memory') : 'memory'),
    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function connectRedis(url: string, logger: Logger): Redis {
  // No offline queue: a command while disconnected fails at once and the in-memory insurance answers,
  // instead of the request waiting for Redis to come back.
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: false });
  let reportedDown = false;
  redis.on('ready', () => {
    if (reportedDown) logger.info('Redis reachable again; rate limits are shared across instances');
    reportedDown = false;
  });
  redis.on('error', (error: Error) => {
    if (reportedDown) return;
    reportedDown = true;
    logger.warn({ err: error }, 'Redis unreachable; rate limits count in this instance’s memory until it is back');
  });
  return redis;
}

/**
 * What one operation costs, in points per budget. A mutation: one point per root field that runs
 * (aliases count each; sign-in per address, and `login` per account name too). A query or a
 * subscription: its cost, at least 1, per account when signed in (a cadre's budget of its own: the caseload
 * refresh is large), per address otherwise.
 */
function chargesFor(operation: RateLimitedOperation, actor: Actor | null, clientAddress: string): Charge[] {
  if (operation.kind !== 'mutation') {
    const points = Math.max(1, Math.ceil(operation.cost));
    if (!actor) return [{ budget: 'queriesPerAddress', key: clientAddress, points }];
    return [{ budget: isCadre(actor) ? 'queriesPerCadre' : 'queriesPerAccount', key: String(actor.accountId), points }];
  }
  const charges = new Map<string, Charge>();
  const add = (budget: BudgetName, key: string) => {
    const id = `${budget}\u0000${key}`;
    const charge = charges.get(id);
    if (charge) charge.points += 1;
    else charges.set(id, { budget, key, points: 1 });
  };
  for (const field of operation.rootFields) {
    if (SIGN_IN_FIELDS.has(field.name)) {
      add('signInPerAddress', clientAddress);
      const username = field.name === 'login' && typeof field.args.username === 'string' ? field.args.username : null;
      if (username) add('signInPerAccount', username.trim().toLowerCase());
      continue;
    }
    add('writesPerAddress', clientAddress);
    if (actor) add(RECORD_FIELDS.has(field.name) ? 'recordsPerAccount' : 'writesPerAccount', String(actor.accountId));
  }
  return [...charges.values()];
}

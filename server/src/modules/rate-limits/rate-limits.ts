import { HeaderMap } from '@apollo/server';
import { Redis } from 'ioredis';
import { Kind, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppConfig, RateBudget } from '../../config';
import { TooManyRequestsError } from '../../graphql/errors';
import type { Logger } from '../../logger';
import type { Actor } from '../auth/actor';

/**
 * Velocity limits on sign-in and on writes, per account and per client address. They sit beside the
 * login lockout (auth/login-throttle, which counts failures in the database): these count every
 * attempt and every write, successful or not, so that no one account or address can flood the API.
 */

/** Mutations that sign in or renew a sign-in: counted per address (and `login` per account name). */
export const SIGN_IN_FIELDS: ReadonlySet<string> = new Set(['login', 'wechatLogin', 'bindWechat', 'refreshToken', 'developmentSignIn']);

/** A cadre's outbox sends its queued records in a burst when the signal returns: a budget of its own. */
export const RECORD_FIELDS: ReadonlySet<string> = new Set(['submitHelpRecord']);

export type BudgetName = 'signInPerAddress' | 'signInPerAccount' | 'writesPerAccount' | 'recordsPerAccount' | 'writesPerAddress';

export interface RateLimitDependencies {
  config: AppConfig['rateLimits'];
  logger: Logger;
}

export interface RateLimits {
  /** Counts a mutation against its budgets; throws TOO_MANY_REQUESTS when one is spent. Queries are free. */
  consume(operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined, actor: Actor | null, clientAddress: string): Promise<void>;
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
    return { consume: async () => undefined, backend: () => 'off', close: async () => undefined };
  }
  const redis = config.redisUrl ? connectRedis(config.redisUrl, logger) : null;
  const limiters = new Map<BudgetName, RateLimiterAbstract>();
  const budgets: Record<BudgetName, RateBudget> = {
    signInPerAddress: config.signInPerAddress,
    signInPerAccount: config.signInPerAccount,
    writesPerAccount: config.writesPerAccount,
    recordsPerAccount: config.recordsPerAccount,
    writesPerAddress: config.writesPerAddress,
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

  return {
    async consume(operation, variables, actor, clientAddress) {
      if (operation.operation !== 'mutation') return;
      for (const charge of chargesFor(operation, variables, actor, clientAddress)) {
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
    },
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

function rootFields(operation: OperationDefinitionNode): FieldNode[] {
  return operation.selectionSet.selections.filter((selection): selection is FieldNode => selection.kind === Kind.FIELD);
}

function stringArgument(field: FieldNode, name: string, variables: Record<string, unknown> | undefined): string | null {
  const argument = field.arguments?.find((candidate) => candidate.name.value === name);
  if (!argument) return null;
  if (argument.value.kind === Kind.STRING) return argument.value.value;
  if (argument.value.kind === Kind.VARIABLE) {
    const value = variables?.[argument.value.name.value];
    return typeof value === 'string' ? value : null;
  }
  return null;
}

/** What one mutation costs, in points per budget: one point per root field (aliases count each). */
function chargesFor(operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined, actor: Actor | null, clientAddress: string): Charge[] {
  const charges = new Map<string, Charge>();
  const add = (budget: BudgetName, key: string) => {
    const id = `${budget}\u0000${key}`;
    const charge = charges.get(id);
    if (charge) charge.points += 1;
    else charges.set(id, { budget, key, points: 1 });
  };
  for (const field of rootFields(operation)) {
    const name = field.name.value;
    if (SIGN_IN_FIELDS.has(name)) {
      add('signInPerAddress', clientAddress);
      const username = name === 'login' ? stringArgument(field, 'username', variables) : null;
      if (username) add('signInPerAccount', username.trim().toLowerCase());
      continue;
    }
    add('writesPerAddress', clientAddress);
    if (actor) add(RECORD_FIELDS.has(name) ? 'recordsPerAccount' : 'writesPerAccount', String(actor.accountId));
  }
  return [...charges.values()];
}

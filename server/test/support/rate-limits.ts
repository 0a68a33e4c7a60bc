import { randomUUID } from 'node:crypto';
import type { AppConfig, RateBudget } from '../../src/config';
import type { HttpAnswer } from './logged-app';

/** Redis runs on our machines here; every test run counts under a prefix of its own. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const RUN_PREFIX = `wanjia-test:${randomUUID()}`;

export const LOGIN = 'mutation SignIn($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }';
export const ISSUE = 'mutation Issue($id: ID!) { issueBindCode(cadreId: $id) { code } }';
export const SUBMIT = 'mutation Submit($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id } }';

export const per = (points: number): RateBudget => ({ points, durationSeconds: 60 });

/** Rate limits on, with small budgets, under a key prefix of the test's own. */
export function limited(prefix: string, budgets: Partial<AppConfig['rateLimits']> = {}) {
  return (config: AppConfig): AppConfig => ({
    ...config,
    // The tests speak through loopback and say who they are in X-Forwarded-For, as a local proxy would.
    trustProxy: ['loopback'],
    rateLimits: {
      ...config.rateLimits,
      enabled: true,
      redisUrl: null,
      keyPrefix: `${RUN_PREFIX}:${prefix}`,
      signInPerAddress: per(100),
      signInPerAccount: per(100),
      writesPerAccount: per(100),
      recordsPerAccount: per(100),
      writesPerAddress: per(100),
      queriesPerAccount: per(100_000),
      queriesPerCadre: per(3_000_000),
      queriesPerAddress: per(100_000),
      ...budgets,
    },
  });
}

export function withRedis(adjust: (config: AppConfig) => AppConfig, redisUrl: string) {
  return (config: AppConfig): AppConfig => {
    const adjusted = adjust(config);
    return { ...adjusted, rateLimits: { ...adjusted.rateLimits, redisUrl } };
  };
}

export const from = (address: string, bearer?: string) => ({ 'x-forwarded-for': address, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) });

export function expectTooMany(answer: HttpAnswer<unknown>, limit: string): void {
  expect(answer.status).toBe(429);
  expect(answer.body.data).toBeUndefined();
  const extensions = answer.body.errors?.[0]?.extensions;
  expect(extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS', limit });
  const retryAfterSeconds = extensions?.retryAfterSeconds as number;
  expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(retryAfterSeconds).toBeLessThanOrEqual(60);
  expect(answer.headers.get('retry-after')).toBe(String(retryAfterSeconds));
}

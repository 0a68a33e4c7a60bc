import { Redis } from 'ioredis';
import type { AppConfig, DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { ADMIN_PASSWORD, createWorld } from './support/limits-world';
import { codeOf, startLoggedApp, type LoggedApp } from './support/logged-app';
import { LOGIN, REDIS_URL, RUN_PREFIX, expectTooMany, from, limited, per, withRedis } from './support/rate-limits';

/**
 * The one rate-limit test that needs a real Redis (TEST_REDIS_URL, default 127.0.0.1:6379). Under CI it
 * always runs; elsewhere jest.config.js leaves this file out when no Redis answers, and the summary of
 * `pnpm test` says so.
 */
describe.each(databaseKinds())('rate limits shared through Redis on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  const running: LoggedApp[] = [];

  const start = async (adjust: (config: AppConfig) => AppConfig) => {
    const app = await startLoggedApp(orm, database, adjust);
    running.push(app);
    return app;
  };
  const signIn = (app: LoggedApp, address: string, username = 'limits-admin') =>
    app.post({ query: LOGIN, variables: { u: username, p: ADMIN_PASSWORD } }, from(address));

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'rate_limits_redis'));
    await createWorld(orm);
  });

  afterAll(async () => {
    for (const app of running) await app.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${RUN_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('shares one budget between two instances through Redis', async () => {
    const shared = withRedis(limited(`${kind}-shared`, { signInPerAddress: per(4) }), REDIS_URL);
    const first = await start(shared);
    const second = await start(shared);
    await waitForRedis(first);
    await waitForRedis(second);
    expect(codeOf(await signIn(first, '10.0.4.1'))).toBeUndefined();
    expect(codeOf(await signIn(second, '10.0.4.1'))).toBeUndefined();
    expect(codeOf(await signIn(first, '10.0.4.1'))).toBeUndefined();
    expect(codeOf(await signIn(second, '10.0.4.1'))).toBeUndefined();
    expectTooMany(await signIn(first, '10.0.4.1'), 'signInPerAddress');
    expectTooMany(await signIn(second, '10.0.4.1'), 'signInPerAddress');

    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys(`${RUN_PREFIX}:${kind}-shared:signInPerAddress*`)).toHaveLength(1);
    } finally {
      await redis.quit();
    }
  });
});

/** An instance connects to Redis as it starts; until then it counts in memory, which the test does not want. */
async function waitForRedis(app: LoggedApp): Promise<void> {
  for (let attempt = 0; attempt < 100 && app.app.rateLimits.backend() !== 'redis'; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(app.app.rateLimits.backend()).toBe('redis');
}

import 'reflect-metadata';
import { createApp } from './app';
import { cadreAppBanner } from './http/cadre-app.routes';
import { ConfigError, loadConfig } from './config';
import { ensureDemoData } from './seed/demo/ensure-demo-data';
import { createOrm, prepareSchema, type Orm } from './db/orm';
import { withStartupLease } from './db/startup-lease';
import { systemClock } from './core/clock';
import { JOBS } from './modules/jobs/jobs';
import { startScheduler, type Scheduler } from './modules/jobs/scheduler';
import { createLogger } from './logger';
import { conflictRetrySettings } from './core/conflict-retry';
import { accountsWithPublishedPasswords } from './modules/accounts/published-password.guard';
import { withDevelopmentSecret } from './modules/auth/development-secret.store';
import { developmentWarnings, productionWarnings } from './modules/auth/development-warnings';

/** Longer than Apollo's drain grace period (10 s), so that a slow drain still ends in an orderly close. */
const SHUTDOWN_DEADLINE_MS = 20_000;

/**
 * A request whose database connection stays silent this long (the database gone without closing the
 * socket) ends with UNAVAILABLE instead of hanging. Longer than any query a request runs.
 */
const SILENT_CONNECTION_TIMEOUT_MS = 20_000;

/** Process entry: configuration → database → HTTP. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config);
  conflictRetrySettings.logger = logger;
  const secret = withDevelopmentSecret(config);
  config = secret.config;

  // A signal during start-up waits for the step under way (a migration is not cut in half), then
  // stops; once the API is up, the signal starts the graceful shutdown below.
  let signalled: string | null = null;
  let stopServing: ((signal: string) => Promise<void>) | null = null;
  const onSignal = (signal: string) => {
    if (stopServing) return void stopServing(signal);
    if (signalled) return;
    signalled = signal;
    logger.info({ signal }, 'signal during start-up: stopping after the current step');
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  // Migrations and the demo data run on an ORM of their own, without the serving pool's limit on a
  // silent connection: one DDL statement on a large table may rightly keep its socket quiet for minutes.
  const setupOrm = await createOrm({ database: config.database, logger, logSql: config.logSql });
  const stopIfSignalled = async (open: Orm) => {
    if (!signalled) return;
    await open.close(true);
    logger.info({ signal: signalled }, 'stopped before serving');
    process.exit(0);
  };
  try {
    // Instances started at once on one database take turns here: the first migrates (and seeds), the
    // others wait for it and then find nothing left to do.
    await withStartupLease(
      setupOrm,
      async () => {
        await prepareSchema(setupOrm, config.database);
        if (config.seedDemoData && !signalled) await ensureDemoData(setupOrm, logger, config.visitIntervals);
      },
      { logger, stopWaiting: () => signalled !== null },
    );
    await stopIfSignalled(setupOrm);
    if (config.nodeEnv === 'production') {
      // The demo passwords are in the README: a production server with one of them is open to anyone.
      const published = await accountsWithPublishedPasswords(setupOrm.em.fork());
      if (published.length > 0) {
        await setupOrm.close(true);
        process.stderr.write(
          `Refusing to start in production: ${published.length === 1 ? 'the account' : 'the accounts'} ${published.join(', ')} still ${published.length === 1 ? 'has' : 'have'} a published demo password.\n` +
            `Give each a new password first, e.g. \`WANJIA_PASSWORD=... node server/dist/cli.js account:reset-password ${published[0]}\` ` +
            '(without WANJIA_PASSWORD it prints a one-time password that must be changed at the next sign-in), or deactivate the account.\n',
        );
        process.exit(2);
      }
    }
  } finally {
    await setupOrm.close(true);
  }

  const sqlCounter = { statements: 0 };
  const orm = await createOrm({
    database: config.database,
    logger,
    logSql: config.logSql,
    onQuery: config.countSql ? () => (sqlCounter.statements += 1) : undefined,
    silentConnectionTimeoutMs: SILENT_CONNECTION_TIMEOUT_MS,
    // The replicas' heartbeat and lag checks (issue 17), when DATABASE_REPLICA_URLS is set.
    watchReplicas: true,
  });
  const app = await createApp({ config, orm, logger, sqlCounter });
  await stopIfSignalled(orm);
  await new Promise<void>((resolve) => app.httpServer.listen(config.port, config.host, resolve));
  // Scheduled work (escalation sweep, WeChat delivery, weekly reminders): every instance ticks, a lease in
  // the database picks one runner per job. Here, not in createApp, so that tests and the CLI run none.
  const scheduler: Scheduler | null = config.jobs.enabled ? startScheduler({ orm, config, logger, clock: systemClock, jobs: JOBS }) : null;
  const where = config.database.kind === 'mysql' ? 'MySQL' : `SQLite at ${config.database.path}`;
  const schemaReading = config.playground ? 'IDE and introspection on' : config.introspection ? 'introspection on, no IDE' : 'introspection and IDE off';
  logger.info(
    { port: config.port, host: config.host, database: config.database.kind, introspection: config.introspection, playground: config.playground },
    `Wanjia API on http://localhost:${config.port}/graphql (${where}; ${schemaReading})`,
  );
  // Development with the development sign-in: where the cadre app is (or how to build it), for a demo in a browser.
  // Where the cadres' side is, on every development start: the h5 app this server serves, and how to sign in to it.
  if (config.nodeEnv !== 'production') process.stdout.write(`\n${await cadreAppBanner(config)}\n`);
  const warnings = developmentWarnings(config, secret.secretFile);
  if (warnings.length > 0) process.stdout.write(`\n${warnings.join('\n')}\n\n`);
  // In the log rather than on the terminal: production's output is its JSON log.
  for (const warning of productionWarnings(config)) logger.warn(warning);

  // A deploy or a host shutdown sends SIGTERM: stop accepting connections, let every request already
  // taken finish and answer (Apollo's drain gives them 10 s before it cuts the rest), then close the
  // database and exit 0. Only a shutdown stuck past the drain and the database's close exits 1.
  let stopping = false;
  stopServing = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info({ signal }, 'shutting down: draining requests in flight');
    const timer = setTimeout(() => {
      logger.error({ afterMs: Date.now() - started }, `shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    timer.unref();
    try {
      await app.stop();
      // The job under way finishes (or its lease lapses if it cannot) before the pool it writes through closes.
      await scheduler?.stop();
      await orm.close(true);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    logger.info({ afterMs: Date.now() - started }, 'stopped');
    process.exit(0);
  };
  if (signalled) await stopServing(signalled);
}

main().catch((error: unknown) => {
  process.stderr.write(`Wanjia failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { ensureDemoData } from './db/demo/ensure-demo-data';
import { createOrm, prepareSchema } from './db/orm';
import { createLogger } from './logger';

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
  const sqlCounter = { statements: 0 };
  const orm = await createOrm({
    database: config.database,
    logger,
    logSql: config.logSql,
    onQuery: config.countSql ? () => (sqlCounter.statements += 1) : undefined,
  });
  await prepareSchema(orm, config.database);
  if (config.seedDemoData) {
    await ensureDemoData(orm, logger);
  }
  const app = await createApp({ config, orm, logger, sqlCounter });
  await new Promise<void>((resolve) => app.httpServer.listen(config.port, config.host, resolve));
  const where = config.database.kind === 'mysql' ? 'MySQL' : `SQLite at ${config.database.path}`;
  logger.info({ port: config.port, database: config.database.kind }, `Wanjia API on http://localhost:${config.port}/graphql (${where})`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    timer.unref();
    await app.stop();
    await orm.close(true);
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Wanjia failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';
import { ensureDemoData } from './demo/ensure-demo-data';
import { createOrm, prepareSchema } from './orm';

const USAGE = 'usage: node dist/db/cli.js migrate | seed | migration:create';

/** Database chores: apply migrations, seed the demo data set, generate a MySQL migration from the entities. */
async function main(command: string | undefined): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const orm = await createOrm({ database: config.database, logger });
  try {
    switch (command) {
      case 'migrate':
        await prepareSchema(orm, config.database);
        logger.info({ database: config.database.kind }, 'schema is up to date');
        break;
      case 'seed': {
        await prepareSchema(orm, config.database);
        const result = await ensureDemoData(orm, logger);
        if (!result) logger.info('the database already holds data; the demo data set was not written');
        break;
      }
      case 'migration:create': {
        if (config.database.kind !== 'mysql') {
          throw new Error('migration:create diffs a MySQL database against the entities: set DATABASE_URL');
        }
        await prepareSchema(orm, config.database);
        const migration = await orm.getMigrator().createMigration();
        if (migration.diff.up.length === 0) {
          logger.info('the entities and the migrated schema agree; no migration written');
        } else {
          logger.info({ file: migration.fileName }, 'migration written: add it to src/db/migrations/index.ts');
        }
        break;
      }
      default:
        throw new Error(USAGE);
    }
  } finally {
    await orm.close(true);
  }
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

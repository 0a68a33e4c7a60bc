import { Writable } from 'node:stream';
import { GraphQLError } from 'graphql';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { createErrorFormatter } from '../src/graphql/error-formatter';
import { Resident } from '../src/modules/households/resident.entity';
import { createLogger, redactSqlValues } from '../src/logger';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createHousehold, createRegionTree, validIdNumber } from './support/factories';

/** A logger that keeps its JSON lines in memory, as the real one writes them. */
function memoryLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ logLevel: 'info' }, destination), lines };
}

/**
 * A failed write's error carries its SQL with the values inlined (and the driver's message quotes
 * them): the error log must keep the statement's shape and lose the values, an ID number above all.
 */
describe.each(databaseKinds())('error logs on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'error_log'));
  });

  afterAll(async () => {
    await orm?.close(true);
    await dropScratchDatabase(database);
  });

  test('a resident write that fails in the database is logged without its ID number, name or birth date', async () => {
    const em = orm.em.fork();
    const regions = await createRegionTree(em);
    const household = await createHousehold(em, { region: regions.dongxing });
    const idNumber = validIdNumber('210502', '1968-04-02');
    const values = { household: household.id, name: '孙桂芝', relation: 'HEAD', gender: 'FEMALE', birthDate: '1968-04-02', idNumber, isPetitioner: false };
    // A native insert that leaves out the creation time: refused by the database (NOT NULL), with the
    // statement and its values in the driver's message.
    const failure = await em
      .fork()
      .insert(Resident, values as never)
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Error);
    // The driver's message does carry the values: this is what must not reach the log.
    expect(String((failure as Error).message)).toContain(idNumber);

    const { logger, lines } = memoryLogger();
    const format = createErrorFormatter(logger);
    const shaped = format({ message: (failure as Error).message, path: ['addResident'] }, new GraphQLError((failure as Error).message, { originalError: failure as Error }));
    expect(shaped.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    logger.flush();
    await new Promise((resolve) => setImmediate(resolve));
    const log = lines.join('\n');
    expect(log).toContain('unhandled error in GraphQL operation');
    expect(log).toMatch(/insert into/i);
    for (const secret of [idNumber, idNumber.slice(6, 14), '孙桂芝', '1968-04-02', '19680402']) expect(log).not.toContain(secret);
  });
});

test('redactSqlValues keeps the statement and drops quoted literals and long digit runs', () => {
  expect(redactSqlValues("insert into `resident` (`name`, `id_number`) values ('王''五', '21050219680402001X') - Duplicate entry '21050219680402001X' for key 'PRIMARY'")).toBe(
    "insert into `resident` (`name`, `id_number`) values ('?', '?') - Duplicate entry '?' for key '?'",
  );
  expect(redactSqlValues('update household set phone = 13900001111 where id = 12')).toBe('update household set phone = ? where id = 12');
  expect(redactSqlValues('select "resident"."id" from "resident" where "x" = "210502196804020011"')).toBe('select "resident"."id" from "resident" where "x" = "?"');
});

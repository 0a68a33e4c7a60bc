import { DemandStatus } from '@wanjia/shared';
import { toDate } from '../src/core/time';
import { MIGRATIONS } from '../src/db/migrations';
import { SQLITE_SCHEMA_STATE_TABLE, prepareSchema, type Orm } from '../src/db/orm';
import { Region } from '../src/modules/regions/region.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createDemand, createHelpRecord, createHousehold } from './support/factories';

// Registered only when the global setup found MySQL (always under CI); otherwise the run's last lines say so.
const describeMysql = databaseKinds().includes('mysql') ? describe : () => undefined;

describeMysql('MySQL schema from migrations', () => {
  it('migrates an empty database to a schema with no difference from the entities', async () => {
    const { orm, database } = await migratedOrm('mysql', 'schema_from_empty');
    try {
      const difference = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
      expect(difference.trim()).toBe('');

      const executed = await orm.getMigrator().getExecutedMigrations();
      expect(executed.map((migration) => migration.name)).toEqual(MIGRATIONS.map((migration) => migration.name));

      // The next start finds nothing to do.
      await prepareSchema(orm, database);
      expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
    } finally {
      await orm.close(true);
      await dropScratchDatabase(database);
    }
  });
});

describeMysql('the demand timeline migration (Migration20261203000000)', () => {
  it('backfills the steps existing demands already tell, and reverts cleanly', async () => {
    const { orm, database } = await migratedOrm('mysql', 'demand_timeline_backfill');
    try {
      const em = orm.em.fork();
      const household = await createHousehold(em);
      const record = await createHelpRecord(em, { household });
      const at = (day: number) => new Date(Date.UTC(2026, 5, day, 3));
      const open = await createDemand(em, { household, raisedAt: at(1), raisedIn: record });
      const resolved = await createDemand(em, { household, raisedAt: at(1), status: DemandStatus.RESOLVED, resolvedBy: record, resolvedAt: at(2) });
      const confirmed = await createDemand(em, {
        household,
        raisedAt: at(1),
        status: DemandStatus.CONFIRMED,
        resolvedBy: record,
        resolvedAt: at(2),
        confirmedAt: at(5),
      });

      // As an older build left it: the migration reverted, then applied to rows that have no timeline.
      // (Down to and including it: later migrations are reverted first.)
      const migrator = orm.getMigrator();
      await migrator.down({ to: 'Migration20261203000000' });
      const connection = orm.em.getConnection();
      expect(await connection.execute("show tables like 'demand_event'")).toEqual([]);
      await migrator.up();

      const steps = await connection.execute<
        { demand_id: number; kind: string; at: Date | string; help_record_id: number | null; actor_account_id: number | null }[]
      >('select demand_id, kind, at, help_record_id, actor_account_id from demand_event order by demand_id, at, id');
      expect(steps.map((step) => [step.demand_id, step.kind, toDate(step.at).toISOString(), step.help_record_id, step.actor_account_id])).toEqual([
        [open.id, 'RAISED', at(1).toISOString(), record.id, null],
        [resolved.id, 'RAISED', at(1).toISOString(), null, null],
        [resolved.id, 'RESOLVED', at(2).toISOString(), record.id, null],
        [confirmed.id, 'RAISED', at(1).toISOString(), null, null],
        [confirmed.id, 'RESOLVED', at(2).toISOString(), record.id, null],
        [confirmed.id, 'CONFIRMED', at(5).toISOString(), record.id, null],
      ]);
      const [row] = await connection.execute<{ reopen_count: number; satisfaction: string | null }[]>(
        'select reopen_count, satisfaction from demand where id = ?',
        [confirmed.id],
      );
      expect(row).toEqual({ reopen_count: 0, satisfaction: null });
      expect((await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true })).trim()).toBe('');
    } finally {
      await orm.close(true);
      await dropScratchDatabase(database);
    }
  });
});

async function sqliteObjects(orm: Orm, type: 'table' | 'index'): Promise<Set<string>> {
  const rows = await orm.em.getConnection().execute<{ name: string }[]>('select name from sqlite_master where type = ?', [type]);
  return new Set(rows.map((row) => row.name));
}

async function sqliteColumns(orm: Orm, table: string): Promise<string[]> {
  const rows = await orm.em.getConnection().execute<{ name: string }[]>(`pragma table_info(\`${table}\`)`);
  return rows.map((row) => row.name);
}

describe('embedded SQLite schema', () => {
  it('creates every table, column and index of the entities from empty', async () => {
    const { orm, database } = await migratedOrm('sqlite', 'schema_from_empty');
    try {
      const tables = await sqliteObjects(orm, 'table');
      const indexes = await sqliteObjects(orm, 'index');
      const metadata = Object.values(orm.getMetadata().getAll());
      expect(metadata.length).toBeGreaterThanOrEqual(15);
      for (const meta of metadata) {
        expect(tables).toContain(meta.tableName);
        const columns = await sqliteColumns(orm, meta.tableName);
        const expected = meta.props.filter((prop) => prop.fieldNames?.length && prop.persist !== false).flatMap((prop) => prop.fieldNames);
        expect(columns.sort()).toEqual([...new Set(expected)].sort());
      }
      const ddl = await orm.schema.getCreateSchemaSQL({ wrap: false });
      const declaredIndexes = [...ddl.matchAll(/create (?:unique )?index `([^`]+)`/g)].map((match) => match[1]);
      expect(declaredIndexes.length).toBeGreaterThan(30);
      for (const name of declaredIndexes) expect(indexes).toContain(name);
    } finally {
      await orm.close(true);
      await dropScratchDatabase(database);
    }
  });

  it('keeps what was written across restarts and upgrades', async () => {
    const statements: string[] = [];
    const { orm, database } = await migratedOrm('sqlite', 'schema_upgrade', { onQuery: (sql) => statements.push(sql) });
    try {
      const em = orm.em.fork();
      em.create(Region, { code: '210500000000', name: '本溪市', level: 'CITY' as Region['level'], path: '210500000000/', depth: 0 });
      await em.flush();

      // A restart with the same code changes nothing.
      statements.length = 0;
      await prepareSchema(orm, database);
      expect(statements.filter((sql) => /\b(alter|drop|insert into|create table `(?!wanjia_schema_state))/i.test(sql))).toEqual([]);
      const tablesBefore = (await sqliteObjects(orm, 'table')).size;

      // Simulate a database written by an older build: a column and an index it did not have yet.
      const connection = orm.em.getConnection();
      await connection.execute('drop index `household_last_visit_at_index`');
      await connection.execute('alter table `household` drop column `last_visit_at`');
      await connection.execute(`update \`${SQLITE_SCHEMA_STATE_TABLE}\` set fingerprint = 'an older build'`);

      await prepareSchema(orm, database);
      expect(await sqliteColumns(orm, 'household')).toContain('last_visit_at');
      expect(await sqliteObjects(orm, 'index')).toContain('household_last_visit_at_index');
      expect((await sqliteObjects(orm, 'table')).size).toBe(tablesBefore);
      const kept = await orm.em.fork().findOneOrFail(Region, { code: '210500000000' });
      expect(kept.name).toBe('本溪市');
    } finally {
      await orm.close(true);
      await dropScratchDatabase(database);
    }
  });
});

describe('the demand timeline on an upgraded embedded database (SQLite)', () => {
  it('backfills the steps its existing demands tell, once, when the build that brought the timeline first starts', async () => {
    const { orm, database } = await migratedOrm('sqlite', 'demand_timeline_sqlite');
    try {
      const em = orm.em.fork();
      const household = await createHousehold(em);
      const record = await createHelpRecord(em, { household });
      const at = (day: number) => new Date(Date.UTC(2026, 5, day, 3));
      const open = await createDemand(em, { household, raisedAt: at(1), raisedIn: record });
      const confirmed = await createDemand(em, {
        household,
        raisedAt: at(1),
        status: DemandStatus.CONFIRMED,
        resolvedBy: record,
        resolvedAt: at(2),
        confirmedAt: at(5),
      });
      // As an older build left it: no timeline table, and a schema fingerprint of that build.
      const connection = orm.em.getConnection();
      await connection.execute('drop table `demand_event`');
      await connection.execute(`update \`${SQLITE_SCHEMA_STATE_TABLE}\` set fingerprint = 'an older build'`);

      await prepareSchema(orm, database);
      const steps = () =>
        connection.execute<{ demand_id: number; kind: string; at: Date | string | number; help_record_id: number | null }[]>(
          'select demand_id, kind, at, help_record_id from demand_event order by demand_id, at, id',
        );
      const expected = [
        [open.id, 'RAISED', at(1).toISOString(), record.id],
        [confirmed.id, 'RAISED', at(1).toISOString(), null],
        [confirmed.id, 'RESOLVED', at(2).toISOString(), record.id],
        [confirmed.id, 'CONFIRMED', at(5).toISOString(), record.id],
      ];
      expect((await steps()).map((step) => [step.demand_id, step.kind, toDate(step.at).toISOString(), step.help_record_id])).toEqual(expected);

      // Another schema change later does not write the steps twice.
      await connection.execute(`update \`${SQLITE_SCHEMA_STATE_TABLE}\` set fingerprint = 'yet another build'`);
      await prepareSchema(orm, database);
      expect(await steps()).toHaveLength(expected.length);
    } finally {
      await orm.close(true);
      await dropScratchDatabase(database);
    }
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { LockWaitTimeoutException } from '@mikro-orm/core';
import { lockEveryRow, lockForUpdate, lockRows, LOCK_VERSION_COLUMN } from '../src/core/locking';
import { isSqlite, type Em } from '../src/core/entity-manager';
import type { Orm } from '../src/db/orm';
import { EscalationRung } from '../src/modules/demands/escalation-rung.entity';
import { Household } from '../src/modules/households/household.entity';
import { UnitHandler } from '../src/modules/units/unit-handler.entity';
import { SOURCE_ROOT } from './architecture/import-graph';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createHousehold } from './support/factories';

/**
 * core/locking.ts: the one way a check-then-act takes a row's lock. On MariaDB/MySQL a real write
 * (lock_version + 1), so that Galera certifies it across nodes (tests/cluster/galera-row-locks.test.ts
 * proves that part) while one server keeps the exclusive row lock it always had; on SQLite nothing.
 */

async function lockVersionOf(em: Em, table: string, key: string, id: number): Promise<number> {
  const [row] = await em.execute<{ v: number | string }[]>(`select ${LOCK_VERSION_COLUMN} as v from ${table} where ${key} = ?`, [id]);
  return Number(row?.v);
}

describe.each(databaseKinds())('row locks on %s', (kind) => {
  let orm: Orm;
  let database: Awaited<ReturnType<typeof migratedOrm>>['database'];
  const statements: string[] = [];

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'row_locks', { onQuery: (sql) => statements.push(sql) }));
  });

  afterAll(async () => {
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('locks with a real write on MariaDB (lock_version moves) and sends nothing on SQLite', async () => {
    const household = await createHousehold(orm.em.fork());
    const before = await lockVersionOf(orm.em.fork(), 'household', 'id', household.id);
    expect(before).toBe(0);
    statements.length = 0;
    await orm.em.fork().transactional(async (tx) => {
      await lockRows(tx, Household, [household.id, household.id]);
      await lockEveryRow(tx, EscalationRung);
    });
    const sqlite = isSqlite(orm.em.fork());
    expect(statements.some((sql) => sql.includes(`${LOCK_VERSION_COLUMN}\` + 1`))).toBe(!sqlite);
    expect(await lockVersionOf(orm.em.fork(), 'household', 'id', household.id)).toBe(sqlite ? 0 : 1);
    expect(await lockVersionOf(orm.em.fork(), 'escalation_rung', 'level', 1)).toBe(sqlite ? 0 : 1);
  });

  it('never writes a stale lock_version back from an entity loaded before the lock', async () => {
    const household = await createHousehold(orm.em.fork());
    statements.length = 0;
    await orm.em.fork().transactional(async (tx) => {
      const loaded = await tx.findOneOrFail(Household, household.id);
      const locked = await lockForUpdate(tx, Household, household.id);
      expect(locked).toBe(loaded);
      loaded.address = '改过的地址';
    });
    const updates = statements.filter((sql) => /\bupdate `household`/.test(sql));
    expect(updates.some((sql) => sql.includes('`address`'))).toBe(true);
    expect(updates.filter((sql) => !sql.includes(`${LOCK_VERSION_COLUMN}\` + 1`)).every((sql) => !sql.includes(LOCK_VERSION_COLUMN))).toBe(true);
    const em = orm.em.fork();
    expect((await em.findOneOrFail(Household, household.id)).address).toBe('改过的地址');
    expect(await lockVersionOf(em, 'household', 'id', household.id)).toBe(isSqlite(em) ? 0 : 1);
  });

  it('refuses an entity without the lock column, naming it', async () => {
    await expect(orm.em.fork().transactional((tx) => lockRows(tx, UnitHandler, [1]))).rejects.toThrow(/UnitHandler cannot be locked/);
  });

  if (kind === 'mysql') {
    it('holds the exclusive row lock until commit on one server: a second locker of the row waits', async () => {
      const household = await createHousehold(orm.em.fork());
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const first = orm.em.fork().transactional(async (tx) => {
        await lockRows(tx, Household, [household.id]);
        locked();
        await held;
      });
      await isLocked;
      // The second gives up after 1 s (it would otherwise wait for the first's commit).
      const second = orm.em.fork().transactional(async (tx) => {
        await tx.execute('set session innodb_lock_wait_timeout = 1');
        try {
          await lockRows(tx, Household, [household.id]);
        } finally {
          await tx.execute('set session innodb_lock_wait_timeout = default');
        }
      });
      await expect(second).rejects.toBeInstanceOf(LockWaitTimeoutException);
      release();
      await first;
      expect(await lockVersionOf(orm.em.fork(), 'household', 'id', household.id)).toBe(1);
    });
  }
});

/**
 * The no-op locks that Galera does not certify must not come back: outside core/locking.ts no source file
 * of the server takes a row lock by SELECT … FOR UPDATE / LOCK IN SHARE MODE, MikroORM's pessimistic lock
 * modes, or an update that sets a column to itself.
 */
describe('row locks in server/src', () => {
  function sourceFiles(directory: string): string[] {
    return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return entry.name.endsWith('.ts') ? [full] : [];
    });
  }
  /** The code without comments (which may speak of these statements). */
  const codeOf = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const RAW_LOCKS: [string, RegExp][] = [
    ['SELECT … FOR UPDATE', /\bfor\s+update\b/i],
    ['LOCK IN SHARE MODE / FOR SHARE', /\block\s+in\s+share\s+mode\b|\bfor\s+share\b/i],
    ['a pessimistic LockMode', /\bPESSIMISTIC_\w+|\bLockMode\b/],
    ['a no-op update (set x = x)', /\bset\s+`?(\w+)`?\s*=\s*`?\1\b`?(?!\s*[-+*/(.`])/i],
  ];
  const files = sourceFiles(SOURCE_ROOT);

  it('has none outside core/locking.ts', () => {
    const found = files
      .filter((file) => path.relative(SOURCE_ROOT, file) !== path.join('core', 'locking.ts'))
      .flatMap((file) => {
        const code = codeOf(fs.readFileSync(file, 'utf8'));
        return RAW_LOCKS.filter(([, pattern]) => pattern.test(code)).map(([what]) => `${path.relative(SOURCE_ROOT, file)}: ${what}`);
      });
    expect(found).toEqual([]);
  });

  it('recognises each kind (checked on the statements the server used to send)', () => {
    const old = [
      'select id from household where id in (?) order by id for update',
      'tx.findOne(entity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE })',
      'update unit set name = name where id = ?',
      'update household set last_visit_at = last_visit_at where id in (?)',
      "'update escalation_rung set after_days = after_days'",
    ];
    expect(old.map((sql) => RAW_LOCKS.some(([, pattern]) => pattern.test(sql)))).toEqual(old.map(() => true));
    const writes = [
      'update bulk_run set items_done = items_done + ?',
      'do update set records = records + excluded.records',
      'set `lock_version` = `lock_version` + 1',
    ];
    expect(writes.map((sql) => RAW_LOCKS.some(([, pattern]) => pattern.test(sql)))).toEqual(writes.map(() => false));
    expect(files.length).toBeGreaterThan(100);
  });
});

import type { DatabaseConfig } from '../src/config';
import { MIGRATIONS } from '../src/db/migrations';
import { createOrm, prepareSchema, type Orm } from '../src/db/orm';
import { STARTUP_LEASE_TABLE, STARTUP_LEASE_TIMINGS, withStartupLease, type StartupLeaseTimings } from '../src/db/startup-lease';
import { ensureDemoData } from '../src/seed/demo/ensure-demo-data';
import { Region } from '../src/modules/regions/region.entity';
import { createLogger } from '../src/logger';
import { loadConfig } from '../src/config';
import { databaseKinds, dropScratchDatabase, scratchDatabase } from './support/databases';

// Registered only when the global setup found MySQL (always under CI); otherwise the run's last lines say so.
const describeMysql = databaseKinds().includes('mysql') ? describe : () => undefined;

/** Short enough that the lapse of a dead holder's lease is seen within the test. */
const QUICK: StartupLeaseTimings = { leaseMs: 1_500, renewEveryMs: 300, pollEveryMs: 50 };

const silentLogger = createLogger(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }));

describeMysql('instances starting at once on one MySQL database (issue 17)', () => {
  let database: DatabaseConfig;
  let orms: Orm[] = [];

  beforeEach(async () => {
    database = await scratchDatabase('mysql', 'startup_lease');
    // Three instances' start-up ORMs, as three processes of main.ts would have.
    orms = await Promise.all([1, 2, 3].map(() => createOrm({ database })));
  });

  afterEach(async () => {
    await Promise.all(orms.map((orm) => orm.close(true)));
    await dropScratchDatabase(database);
  });

  it('migrate and seed one after the other: every start succeeds, each migration runs once, the demo data is written once', async () => {
    // Without the lease, two of three such starts died on "table already exists" (errno 1050).
    const events: string[] = [];
    await Promise.all(
      orms.map((orm, index) =>
        withStartupLease(
          orm,
          async () => {
            events.push(`start ${index}`);
            await prepareSchema(orm, database);
            await ensureDemoData(orm, silentLogger);
            events.push(`end ${index}`);
          },
          // The real lease (a minute); only the waiting is quicker. (A short lease could lapse under a seed that keeps the event loop busy.)
          { timings: { ...STARTUP_LEASE_TIMINGS, pollEveryMs: 50 }, logger: silentLogger },
        ),
      ),
    );
    // Never two at once: each start is followed by its own end.
    for (let position = 0; position < events.length; position += 2) {
      expect(events[position + 1]).toBe(events[position]!.replace('start', 'end'));
    }
    expect(events).toHaveLength(6);
    const executed = await orms[0]!.getMigrator().getExecutedMigrations();
    expect(executed.map((migration) => migration.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
    const [cities] = await orms[0]!.em.getConnection().execute<{ n: number | string }[]>('select count(*) as n from region where parent_id is null');
    expect(Number(cities!.n)).toBe(1);
    expect(await orms[0]!.em.fork().count(Region)).toBeGreaterThan(1);
    // The lease's own table is invisible to the schema diff, like mikro_orm_migrations.
    expect((await orms[0]!.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true })).trim()).toBe('');
    const [lease] = await orms[0]!.em.getConnection().execute<{ owner: string | null }[]>(`select owner from \`${STARTUP_LEASE_TABLE}\``);
    expect(lease!.owner).toBeNull();
  });

  it('a holder that died (its lease not renewed) holds the others up only until its lease lapses', async () => {
    const [dead, alive] = orms as [Orm, Orm];
    // A holder that stops renewing: its work never ends, its renewal never comes (a process killed mid-migration).
    let releaseDead!: () => void;
    const deadHolder = withStartupLease(dead, () => new Promise<void>((resolve) => (releaseDead = resolve)), {
      timings: { ...QUICK, renewEveryMs: 3_600_000 },
      owner: 'killed-instance',
    });
    // Until the dead one has the lease, the living one must not start.
    while ((await leaseOwner(alive)) !== 'killed-instance') await new Promise((resolve) => setTimeout(resolve, 20));
    let ran = false;
    await withStartupLease(
      alive,
      async () => {
        ran = true;
      },
      { timings: QUICK, owner: 'next-instance' },
    );
    expect(ran).toBe(true);
    // The dead holder's release (had it come back) leaves a lease that is no longer its own alone.
    releaseDead();
    await deadHolder;
    expect(await leaseOwner(alive)).toBeNull();
  });

  it('a waiting instance asked to stop (a signal during start-up) stops waiting and does not run the work', async () => {
    const [holder, waiter] = orms as [Orm, Orm];
    let releaseHolder!: () => void;
    const holding = withStartupLease(holder, () => new Promise<void>((resolve) => (releaseHolder = resolve)), { timings: QUICK, owner: 'holder' });
    while ((await leaseOwner(waiter)) !== 'holder') await new Promise((resolve) => setTimeout(resolve, 20));
    let polls = 0;
    let ran = false;
    const outcome = await withStartupLease(
      waiter,
      async () => {
        ran = true;
      },
      { timings: QUICK, stopWaiting: () => ++polls > 3 },
    );
    expect(outcome).toBe(false);
    expect(ran).toBe(false);
    releaseHolder();
    await expect(holding).resolves.toBe(true);
  });
});

async function leaseOwner(orm: Orm): Promise<string | null | undefined> {
  try {
    const rows = await orm.em.getConnection().execute<{ owner: string | null }[]>(`select owner from \`${STARTUP_LEASE_TABLE}\` where name = 'schema'`);
    return rows[0]?.owner;
  } catch {
    return undefined; // the table is not made yet
  }
}

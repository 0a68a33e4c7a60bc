import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { DataSource, readFromReplica } from '../src/core/read-replicas';
import type { DatabaseConfig } from '../src/config';
import { createOrm, type Orm } from '../src/db/orm';
import { replicaMonitorOf, type ReplicaMonitor } from '../src/db/read-replicas';
import { Region } from '../src/modules/regions/region.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createRegion } from './support/factories';

/**
 * Which connection a read takes, and when a replica is fit to read from (core/read-replicas.ts,
 * db/read-replicas.ts). The "replica" here is the test's own database reached as a SELECT-only user:
 * what a statement sees of `current_user()` tells which pool ran it, and its heartbeat lag is what the
 * test writes into `replica_heartbeat`. Real replication, lag and a replica going down are in
 * tests/cluster/replica.test.ts.
 */

// Registered only when the global setup found MySQL (always under CI); otherwise the run's last lines say so.
const MYSQL_SCHEMES = databaseKinds().includes('mysql') ? (['mariadb', 'mysql'] as const) : [];

interface LogLine {
  level: number;
  msg: string;
  replica?: string;
}

/** A URL of the same server and database as another user. */
function urlAs(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}

/** A loopback port nothing listens on (a replica that never answers). */
const CLOSED_PORT_URL = (url: string) => {
  const parsed = new URL(url);
  parsed.port = '9';
  return parsed.toString();
};

describe.each(databaseKinds())('without replicas (%s)', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'no_replicas'));
  });

  afterAll(async () => {
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('reads the primary and says so', async () => {
    expect(replicaMonitorOf(orm.em.getDriver())).toBeNull();
    const em = orm.em.fork();
    const region = await createRegion(em);
    const { value, freshness } = await readFromReplica(em, () => em.find(Region, { id: region.id }, { connectionType: 'read' }));
    expect(value.map((found) => found.id)).toEqual([region.id]);
    expect(freshness).toEqual({ source: DataSource.PRIMARY, replica: null, lagSeconds: 0, asOf: expect.any(Date) });
  });
});

for (const scheme of MYSQL_SCHEMES)
  describe(`read replicas through the ${scheme} driver`, () => {
    const reader = `wanjia_rr_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    let setup: Orm;
    let database: Extract<DatabaseConfig, { kind: 'mysql' }>;
    let orm: Orm;
    let monitor: ReplicaMonitor;
    const logged: LogLine[] = [];

    beforeAll(async () => {
      const migrated = await migratedOrm('mysql', 'read_replicas');
      setup = migrated.orm;
      if (migrated.database.kind !== 'mysql') throw new Error('a MySQL scratch database was asked for');
      database = migrated.database;
      const dbName = new URL(database.url).pathname.slice(1);
      const connection = setup.em.getConnection();
      await connection.execute(`create user '${reader}'@'%' identified by '${password}'`);
      await connection.execute(`grant select on \`${dbName}\`.* to '${reader}'@'%'`);
      const primaryUrl = database.url.replace(/^\w+:/, `${scheme}:`);
      const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as LogLine) });
      orm = await createOrm({
        database: {
          ...database,
          flavor: scheme === 'mariadb' ? 'mariadb' : 'mysql',
          url: primaryUrl,
          // replica1 answers (the same database, SELECT only); replica2 never does.
          replicaUrls: [urlAs(primaryUrl, reader, password), CLOSED_PORT_URL(primaryUrl)],
          replicaMaxLagSeconds: 30,
        },
        logger,
      });
      monitor = replicaMonitorOf(orm.em.getDriver())!;
      // The serving process ticks every second; here each step ticks when it needs to.
      await monitor.tick();
    });

    afterAll(async () => {
      await orm?.close(true);
      await setup?.em.getConnection().execute(`drop user if exists '${reader}'@'%'`);
      await setup?.close(true);
      if (database) await dropScratchDatabase(database);
    });

    async function userOf(run: () => Promise<{ u: string }[]>): Promise<string> {
      const [row] = await run();
      return row!.u.split('@')[0]!;
    }

    it('sends `read` to the chosen replica only inside readFromReplica, and everything else to the primary', async () => {
      const em = orm.em.fork();
      const primaryUser = new URL(database.url).username;
      const currentUser = (type?: 'read' | 'write') => () => em.getConnection(type).execute<{ u: string }[]>('select current_user() as u');

      expect(await userOf(currentUser('read'))).toBe(primaryUser);
      const { value, freshness } = await readFromReplica(em, async () => ({
        read: await userOf(currentUser('read')),
        untyped: await userOf(currentUser()),
        write: await userOf(currentUser('write')),
        // A write inside the reads (an audit entry) goes to the primary: the reader could not insert.
        inserted: await em.fork().transactional(async (tx) => {
          const region = await createRegion(tx);
          return region.id;
        }),
        found: await em.fork().find(Region, {}, { connectionType: 'read', fields: ['id'] }),
      }));
      expect(value).toMatchObject({ read: reader, untyped: primaryUser, write: primaryUser });
      expect(value.found.map((region) => region.id)).toContain(value.inserted);
      expect(freshness).toMatchObject({ source: DataSource.REPLICA, replica: 'replica1' });
      expect(freshness.lagSeconds).toBeGreaterThanOrEqual(0);
      expect(freshness.lagSeconds).toBeLessThan(5);
      expect(await userOf(currentUser('read'))).toBe(primaryUser);
    });

    it('skips a replica whose heartbeat is older than the limit, and one that does not answer, logging each change once', async () => {
      expect(monitor.report()).toEqual([
        expect.objectContaining({ name: 'replica1', role: 'replica', answering: true, inUse: true, state: 'in-use', problem: null }),
        expect.objectContaining({ name: 'replica2', role: 'replica', answering: false, inUse: false, state: 'not-answering', lagSeconds: null }),
      ]);
      expect(logged.filter((line) => line.replica === 'replica2').map((line) => line.msg)).toEqual([
        expect.stringMatching(/^replica2 skipped: not answering \(.+\); its reads go to the primary$/),
      ]);

      // As the replica would see it a minute behind: the last heartbeat it applied is a minute old.
      await setup.em.getConnection().execute('update replica_heartbeat set beat_at = utc_timestamp(6) - interval 60 second where id = 1');
      const em = orm.em.fork();
      for (let request = 0; request < 3; request += 1) {
        const { freshness } = await readFromReplica(em, async () => null);
        expect(freshness).toMatchObject({ source: DataSource.PRIMARY, replica: null, lagSeconds: 0 });
      }
      expect(monitor.report()[0]).toMatchObject({
        answering: true,
        inUse: false,
        state: 'behind',
        problem: expect.stringMatching(/^6\d\.\d s behind \(limit 30 s\)$/),
      });

      // The next heartbeat brings it back.
      await monitor.tick();
      const { freshness } = await readFromReplica(em, async () => null);
      expect(freshness).toMatchObject({ source: DataSource.REPLICA, replica: 'replica1' });
      expect(logged.filter((line) => line.replica === 'replica1').map((line) => line.msg)).toEqual([
        'replica1 in use for analytics reads',
        expect.stringMatching(/^replica1 skipped: 6\d\.\d s behind \(limit 30 s\); its reads go to the primary$/),
        'replica1 in use for analytics reads',
      ]);
      // replica2 was tried again (its last check had aged) and is still not in use, with no new line.
      expect(logged.filter((line) => line.replica === 'replica2')).toHaveLength(1);
    });

    it('leaves an error of the reads on a replica that still answers to the caller', async () => {
      await monitor.tick();
      const em = orm.em.fork();
      await expect(readFromReplica(em, () => em.getConnection('read').execute('select * from no_such_table'))).rejects.toThrow(/no_such_table/);
    });

    // Last: it closes replica1's pool for good.
    it('runs the reads again on the primary when the replica goes away during them, and takes it out of use', async () => {
      await monitor.tick();
      const em = orm.em.fork();
      let attempts = 0;
      const { value, freshness } = await readFromReplica(em, async () => {
        attempts += 1;
        const connection = em.getConnection('read');
        // The replica goes away between the choice and the reads (its pool closed: every statement fails).
        if (attempts === 1) await connection.close(true);
        return userOf(() => connection.execute<{ u: string }[]>('select current_user() as u'));
      });
      expect(attempts).toBe(2);
      expect(value).toBe(new URL(database.url).username);
      expect(freshness).toMatchObject({ source: DataSource.PRIMARY, replica: null, lagSeconds: 0 });
      expect(monitor.report()[0]).toMatchObject({ answering: false, inUse: false, state: 'not-answering' });
    });
  });

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { isSqlite, type Orm } from '../core/entity-manager';
import type { Logger } from '../logger';

/**
 * The table that serializes start-up work (migrations, the demo data) across instances sharing one
 * MySQL database. It is made by the lease itself (it must exist before the first migration runs) and
 * kept out of the schema generator's view (ORM option `schemaGenerator.skipTables`), like
 * mikro_orm_migrations.
 */
export const STARTUP_LEASE_TABLE = 'wanjia_startup_lease';

export interface StartupLeaseTimings {
  /** How long the lease holds without renewal: a holder that dies frees it after this long. */
  leaseMs: number;
  /** How often the holder renews it while its work goes on (well inside leaseMs). */
  renewEveryMs: number;
  /** How often a waiting instance tries to take it. */
  pollEveryMs: number;
}

export const STARTUP_LEASE_TIMINGS: StartupLeaseTimings = { leaseMs: 60_000, renewEveryMs: 10_000, pollEveryMs: 500 };

export interface StartupLeaseOptions {
  logger?: Logger;
  /** Checked while waiting: true stops the wait (a signal during start-up) and `work` does not run. */
  stopWaiting?: () => boolean;
  timings?: StartupLeaseTimings;
  /** This instance's name in the lease (host, process, a nonce by default). */
  owner?: string;
}

/** Affected rows of an UPDATE through MikroORM's connection (`run` answers a QueryResult). */
type RunResult = { affectedRows?: number };

/**
 * Runs `work` (the schema's migrations and the demo data) while holding the start-up lease, so that
 * instances started at once on one database do it one after the other: the first migrates, the next
 * find nothing pending. Without it, three instances on an empty database each ran the first migration
 * and two died on "table already exists" (and demo data could be written twice).
 *
 * A conditional UPDATE on one row, like the scheduled jobs' lease (job_lease): no GET_LOCK, no table
 * locks, so it holds on a Galera cluster, where GET_LOCK is per node. The lease's time is the
 * database's own clock (current_timestamp), so instances on machines whose clocks differ agree on
 * it. The holder renews it while the work goes on (a migration on a large table may take minutes); a
 * holder that dies frees it after `leaseMs`. SQLite (the embedded default, one process) needs none:
 * `work` runs at once. Returns whether the work ran (false: stopped while waiting).
 */
export async function withStartupLease(orm: Orm, work: () => Promise<void>, options: StartupLeaseOptions = {}): Promise<boolean> {
  if (isSqlite(orm.em)) {
    await work();
    return true;
  }
  const { logger, stopWaiting = () => false, timings = STARTUP_LEASE_TIMINGS } = options;
  const owner = options.owner ?? `${hostname().slice(0, 24)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const connection = orm.em.getConnection();
  const leaseSeconds = (timings.leaseMs / 1000).toFixed(3);
  await connection.execute(
    `create table if not exists \`${STARTUP_LEASE_TABLE}\` (
       name varchar(64) not null primary key,
       owner varchar(64) null,
       lease_until datetime(3) null
     ) engine = InnoDB default character set utf8mb4`,
  );
  await connection.execute(`insert ignore into \`${STARTUP_LEASE_TABLE}\` (name) values ('schema')`, [], 'run');

  let announced = false;
  for (;;) {
    const taken = await connection.execute<RunResult>(
      `update \`${STARTUP_LEASE_TABLE}\`
          set owner = ?, lease_until = current_timestamp(3) + interval ${leaseSeconds} second
        where name = 'schema' and (owner is null or lease_until is null or lease_until < current_timestamp(3))`,
      [owner],
      'run',
    );
    if ((taken.affectedRows ?? 0) === 1) break;
    if (stopWaiting()) return false;
    if (!announced) {
      announced = true;
      const [holder] = await connection.execute<{ owner: string | null }[]>(`select owner from \`${STARTUP_LEASE_TABLE}\` where name = 'schema'`);
      logger?.info({ holder: holder?.owner ?? null }, 'another instance is preparing the database; waiting for it');
    }
    await new Promise((resolve) => setTimeout(resolve, timings.pollEveryMs));
  }

  const renewal = setInterval(() => {
    connection
      .execute(
        `update \`${STARTUP_LEASE_TABLE}\` set lease_until = current_timestamp(3) + interval ${leaseSeconds} second where name = 'schema' and owner = ?`,
        [owner],
        'run',
      )
      .catch((error: unknown) => logger?.warn({ err: error }, 'could not renew the start-up lease; it lapses unless renewed'));
  }, timings.renewEveryMs);
  renewal.unref();
  try {
    await work();
    return true;
  } finally {
    clearInterval(renewal);
    await connection.execute(`update \`${STARTUP_LEASE_TABLE}\` set owner = null, lease_until = null where name = 'schema' and owner = ?`, [owner], 'run');
  }
}

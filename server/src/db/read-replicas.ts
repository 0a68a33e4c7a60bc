import type { ConnectionType } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import type { MariaDbDriver } from '@mikro-orm/mariadb';
import type { MySqlDriver } from '@mikro-orm/mysql';
import { registerReadRouting, replicaReadScope, type ReadRouting, type ReadTarget } from '../core/read-replicas';
import type { Logger } from '../logger';
import { ClusterSafeMariaDbDriver, ClusterSafeMySqlDriver } from './cluster-safe-drivers';

/**
 * The read replicas of the primary (issue 17), as the ORM sees them: MikroORM's `replicas` connections
 * (db/orm.ts), with two things MikroORM does not do.
 *
 * 1. Which connection `read` is. MikroORM answers a random replica, always. Here `read` is the replica
 *    core/read-replicas.ts `readFromReplica` chose for the reads under way, and the primary everywhere
 *    else; `write` (and anything in a transaction) is the primary, as in MikroORM.
 * 2. Whether a replica is fit to read from. Its lag is measured by a heartbeat (`replica_heartbeat`):
 *    every second the serving process writes the primary's clock into the row, and reads the row's age
 *    on each replica. A replica further behind than DATABASE_REPLICA_MAX_LAG_SECONDS, or not answering,
 *    is skipped for the primary; each change of a replica's state is logged once.
 */

/** How often the heartbeat is written and the replicas measured. */
export const HEARTBEAT_INTERVAL_MS = 1_000;
/** A replica that takes longer than this to answer the lag query counts as not answering. */
const MEASURE_TIMEOUT_MS = 2_000;

const HEARTBEAT_WRITE = 'insert into `replica_heartbeat` (`id`, `beat_at`) values (1, utc_timestamp(6)) on duplicate key update `beat_at` = values(`beat_at`)';
/** The heartbeat's age by the replica's own clock (NTP keeps database hosts' clocks together). */
const HEARTBEAT_AGE = 'select timestampdiff(microsecond, `beat_at`, utc_timestamp(6)) as `behind_us` from `replica_heartbeat` where `id` = 1';

export type ReplicaState = 'unknown' | 'in-use' | 'behind' | 'not-answering';

/** What /readyz reports of one replica. */
export interface ReplicaReport {
  name: string;
  role: 'replica';
  /** Whether it answered its last check. Null: not checked yet. */
  answering: boolean | null;
  /** Seconds behind the primary at its last check (null when unknown). */
  lagSeconds: number | null;
  /** Whether analytics read from it now (answering and no further behind than the limit). */
  inUse: boolean;
  state: ReplicaState;
  problem: string | null;
  checkedAt: string | null;
}

interface Replica {
  name: string;
  connection: AbstractSqlConnection;
  state: ReplicaState;
  lagSeconds: number | null;
  problem: string | null;
  checkedAt: number | null;
}

type Measurement = { ok: true; lagSeconds: number } | { ok: false; answering: boolean; problem: string };

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : String(error);
}

/** The lag bookkeeping and replica choice for one ORM (one driver). */
export class ReplicaMonitor implements ReadRouting {
  private readonly replicas: Replica[];
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private heartbeatFailing = false;
  private next = 0;

  constructor(
    private readonly driver: object,
    private readonly primary: AbstractSqlConnection,
    connections: AbstractSqlConnection[],
    private readonly maxLagSeconds: number,
    private readonly logger?: Logger,
  ) {
    this.replicas = connections.map((connection, index) => ({
      name: `replica${index + 1}`,
      connection,
      state: 'unknown',
      lagSeconds: null,
      problem: null,
      checkedAt: null,
    }));
  }

  /** Writes the heartbeat and measures the replicas every second until stop(). Serving processes only. */
  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /** One heartbeat and one measurement of every replica (a tick still under way is not doubled). */
  tick(): Promise<void> {
    this.ticking ??= (async () => {
      try {
        await this.beat();
        await Promise.all(this.replicas.map(async (replica) => this.record(replica, await this.measure(replica))));
      } finally {
        this.ticking = null;
      }
    })();
    return this.ticking;
  }

  /** Writes the primary's clock into the heartbeat row. */
  async beat(): Promise<void> {
    try {
      await withTimeout(this.primary.execute(HEARTBEAT_WRITE, [], 'run'), MEASURE_TIMEOUT_MS, 'the primary');
      if (this.heartbeatFailing) this.logger?.info('replica heartbeat written again');
      this.heartbeatFailing = false;
    } catch (error) {
      if (!this.heartbeatFailing) {
        this.logger?.warn({ err: messageOf(error) }, 'replica heartbeat cannot be written on the primary: replica lag grows until it is');
      }
      this.heartbeatFailing = true;
    }
  }

  private async measure(replica: Replica): Promise<Measurement> {
    try {
      const rows = await withTimeout(replica.connection.execute<{ behind_us: number | string | null }[]>(HEARTBEAT_AGE), MEASURE_TIMEOUT_MS, replica.name);
      const behind = rows[0]?.behind_us;
      if (behind === undefined || behind === null)
        return { ok: false, answering: true, problem: 'no heartbeat row yet (replication not caught up with the migrations?)' };
      // A little below 0 when the hosts' clocks differ by a few milliseconds.
      return { ok: true, lagSeconds: Math.max(0, Number(behind) / 1_000_000) };
    } catch (error) {
      return { ok: false, answering: false, problem: messageOf(error) };
    }
  }

  /** Keeps a measurement and logs the replica's change of state, if any. */
  private record(replica: Replica, measurement: Measurement): ReplicaState {
    const before = replica.state;
    replica.checkedAt = Date.now();
    if (measurement.ok) {
      replica.lagSeconds = measurement.lagSeconds;
      replica.problem = measurement.lagSeconds > this.maxLagSeconds ? `${measurement.lagSeconds.toFixed(1)} s behind (limit ${this.maxLagSeconds} s)` : null;
      replica.state = replica.problem ? 'behind' : 'in-use';
    } else {
      replica.lagSeconds = null;
      replica.problem = measurement.problem;
      replica.state = measurement.answering ? 'behind' : 'not-answering';
    }
    if (replica.state !== before) this.logChange(replica, before);
    return replica.state;
  }

  private logChange(replica: Replica, before: ReplicaState): void {
    const fields = { replica: replica.name, state: replica.state, was: before, lagSeconds: replica.lagSeconds, limitSeconds: this.maxLagSeconds };
    if (replica.state === 'in-use') {
      this.logger?.info(fields, `${replica.name} in use for analytics reads`);
    } else if (replica.state === 'behind') {
      this.logger?.warn({ ...fields, problem: replica.problem }, `${replica.name} skipped: ${replica.problem}; its reads go to the primary`);
    } else {
      this.logger?.warn({ ...fields, problem: replica.problem }, `${replica.name} skipped: not answering (${replica.problem}); its reads go to the primary`);
    }
  }

  /**
   * Round robin over the replicas whose last check found them fit (or that were not checked recently),
   * each measured again now: the lag an answer states is the lag at query time.
   */
  async choose(): Promise<ReadTarget | null> {
    const now = Date.now();
    const candidates = this.replicas.filter(
      (replica) =>
        replica.state === 'in-use' || replica.state === 'unknown' || replica.checkedAt === null || now - replica.checkedAt > 2 * HEARTBEAT_INTERVAL_MS,
    );
    const start = this.next++;
    for (let offset = 0; offset < candidates.length; offset += 1) {
      const replica = candidates[(start + offset) % candidates.length]!;
      const measurement = await this.measure(replica);
      if (this.record(replica, measurement) === 'in-use' && measurement.ok) {
        return { driver: this.driver, connection: replica.connection, name: replica.name, lagSeconds: measurement.lagSeconds };
      }
    }
    return null;
  }

  async stillAnswering(target: ReadTarget): Promise<boolean> {
    const replica = this.replicas.find((candidate) => candidate.name === target.name);
    if (!replica) return false;
    return this.record(replica, await this.measure(replica)) !== 'not-answering';
  }

  /** Each replica as its last check found it (no query: /readyz is polled often). */
  report(): ReplicaReport[] {
    return this.replicas.map((replica) => ({
      name: replica.name,
      role: 'replica',
      answering: replica.state === 'unknown' ? null : replica.state !== 'not-answering',
      lagSeconds: replica.lagSeconds === null ? null : Math.round(replica.lagSeconds * 1000) / 1000,
      inUse: replica.state === 'in-use',
      state: replica.state,
      problem: replica.problem,
      checkedAt: replica.checkedAt === null ? null : new Date(replica.checkedAt).toISOString(),
    }));
  }
}

/** What both routed drivers share: `read` is the chosen replica inside readFromReplica, else the primary. */
interface RoutedDriver {
  replicaMonitor: ReplicaMonitor | null;
}

function routedConnection<C>(driver: object, primary: C, type: ConnectionType | undefined): C {
  if (type !== 'read') return primary;
  const target = replicaReadScope.getStore();
  return target && target.driver === driver ? (target.connection as C) : primary;
}

export class ReplicaRoutingMariaDbDriver extends ClusterSafeMariaDbDriver implements RoutedDriver {
  replicaMonitor: ReplicaMonitor | null = null;

  override getConnection(type?: ConnectionType): ReturnType<MariaDbDriver['getConnection']> {
    return routedConnection(this, this.connection, type);
  }

  override async close(force?: boolean): Promise<void> {
    await this.replicaMonitor?.stop();
    await super.close(force);
  }

  replicaConnections(): AbstractSqlConnection[] {
    return this.replicas;
  }
}

export class ReplicaRoutingMySqlDriver extends ClusterSafeMySqlDriver implements RoutedDriver {
  replicaMonitor: ReplicaMonitor | null = null;

  override getConnection(type?: ConnectionType): ReturnType<MySqlDriver['getConnection']> {
    return routedConnection(this, this.connection, type);
  }

  override async close(force?: boolean): Promise<void> {
    await this.replicaMonitor?.stop();
    await super.close(force);
  }

  replicaConnections(): AbstractSqlConnection[] {
    return this.replicas;
  }
}

type ReplicaRoutingDriver = ReplicaRoutingMariaDbDriver | ReplicaRoutingMySqlDriver;

function isRouted(driver: object): driver is ReplicaRoutingDriver {
  return driver instanceof ReplicaRoutingMariaDbDriver || driver instanceof ReplicaRoutingMySqlDriver;
}

/** Sets up the monitor of an ORM's replicas (none: nothing to do). Returns it, for the serving process to start. */
export function attachReplicaMonitor(driver: object, maxLagSeconds: number, logger?: Logger): ReplicaMonitor | null {
  if (!isRouted(driver)) return null;
  const connections = driver.replicaConnections();
  if (connections.length === 0) return null;
  const monitor = new ReplicaMonitor(driver, driver.getConnection('write'), connections, maxLagSeconds, logger);
  driver.replicaMonitor = monitor;
  registerReadRouting(driver, monitor);
  return monitor;
}

/** The monitor of an ORM's replicas, if it has any. */
export function replicaMonitorOf(driver: object): ReplicaMonitor | null {
  return isRouted(driver) ? driver.replicaMonitor : null;
}

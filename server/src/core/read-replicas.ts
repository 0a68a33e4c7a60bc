import { AsyncLocalStorage } from 'node:async_hooks';
import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import type { Em } from './entity-manager';

/**
 * Reads that may come from a read replica (issue 17): the analysts' figures, drill-downs and exports.
 *
 * Everything else reads the primary: a cadre or an administrator who just wrote something must see it
 * on the next screen, and a replica is always some time behind. So the routing is opt-in twice over:
 * MikroORM's `preferReadReplicas` is off (db/orm.ts), so only a statement that asks for the `read`
 * connection can leave the primary, and that connection is a replica only inside `readFromReplica`,
 * which picks one replica fit to read from (answering, not too far behind) for the whole unit of reads
 * and says how old its data may be. Anywhere else `read` means the primary.
 *
 * The replica bookkeeping (lag measured by a heartbeat, skipping, logging) lives with the ORM in
 * db/read-replicas.ts; features only see this module.
 */

export enum DataSource {
  PRIMARY = 'PRIMARY',
  REPLICA = 'REPLICA',
}

registerEnumType(DataSource, {
  name: 'DataSource',
  description: 'Which database answered: the primary (current) or a read replica (some time behind).',
  valuesConfig: {
    PRIMARY: { description: 'The primary database: every write made before the query is in the answer.' },
    REPLICA: { description: 'A read replica: writes of the last `lagSeconds` may not be in the answer yet.' },
  },
});

@ObjectType({
  description:
    'How old the data of an analytics answer may be. Figures are read from a read replica when one is configured and close enough behind the primary; otherwise from the primary.',
})
export class DataFreshness {
  @Field(() => DataSource)
  source!: DataSource;

  @Field(() => String, {
    nullable: true,
    description: 'The replica that answered (replica1, replica2… in the order of DATABASE_REPLICA_URLS); null for the primary.',
  })
  replica!: string | null;

  @Field(() => Float, {
    description:
      'How far the database that answered was behind the primary when the query ran, in seconds (0 for the primary). Measured by a heartbeat the primary writes every second, so a caught-up replica reads between 0 and about 1.',
  })
  lagSeconds!: number;

  @Field(() => Date, { description: 'Every write made on the primary before this instant is in the answer (the query time minus lagSeconds).' })
  asOf!: Date;
}

export const FRESHNESS_DESCRIPTION = 'How old the data of this answer may be: the primary (current) or a read replica and how far it was behind at query time.';

/** The database connection a unit of reads goes to: the driver's own connection object for one replica. */
export interface ReadTarget {
  /** The driver whose replica this is (a connection of another ORM is never used). */
  driver: object;
  connection: object;
  name: string;
  lagSeconds: number;
}

/** The replica chosen for the reads running in this async context (set by readFromReplica only). */
export const replicaReadScope = new AsyncLocalStorage<ReadTarget>();

/** What an ORM with replicas offers (db/read-replicas.ts implements it). */
export interface ReadRouting {
  /** A replica fit to read from now (lag measured now), or null when none is: the primary answers. */
  choose(): Promise<ReadTarget | null>;
  /** After reads on `target` failed: whether the replica still answers. If not, it is taken out of use (logged). */
  stillAnswering(target: ReadTarget): Promise<boolean>;
}

const routings = new WeakMap<object, ReadRouting>();

/** Called by db/ when an ORM with replicas is made: the routing of that ORM's driver. */
export function registerReadRouting(driver: object, routing: ReadRouting): void {
  routings.set(driver, routing);
}

function primaryFreshness(now: Date): DataFreshness {
  return { source: DataSource.PRIMARY, replica: null, lagSeconds: 0, asOf: now };
}

export interface ReplicaReadOptions {
  /**
   * Whether reads that failed on a replica that then does not answer run again on the primary (the
   * default). Off for a download streamed as it is read: what was sent cannot be taken back.
   */
  rerunOnPrimary?: boolean;
}

/**
 * Runs `read` with the ORM's `read` connection on a replica fit to read from, and says how old the data
 * may be (also passed to `read`, for an answer that must state it before it is complete: a download's
 * header). Only statements that ask for the `read` connection (`em.getConnection('read')`, find options
 * `connectionType: 'read'`) go to the replica; writes (an audit entry) and everything else stay on the
 * primary. Without replicas, or with none fit, `read` runs on the primary and the answer says so.
 *
 * A replica that fails during the reads and then does not answer a probe is taken out of use and the
 * reads run again on the primary (they are reads: running them twice changes nothing). Any other
 * error is the caller's.
 */
export async function readFromReplica<T>(
  em: Em,
  read: (freshness: DataFreshness) => Promise<T>,
  { rerunOnPrimary = true }: ReplicaReadOptions = {},
): Promise<{ value: T; freshness: DataFreshness }> {
  const routing = routings.get(em.getDriver());
  const target = routing ? await routing.choose() : null;
  if (!routing || !target) {
    const freshness = primaryFreshness(new Date());
    return { value: await read(freshness), freshness };
  }
  const now = Date.now();
  const freshness: DataFreshness = {
    source: DataSource.REPLICA,
    replica: target.name,
    lagSeconds: Math.round(target.lagSeconds * 1000) / 1000,
    asOf: new Date(now - Math.round(target.lagSeconds * 1000)),
  };
  try {
    return { value: await replicaReadScope.run(target, () => read(freshness)), freshness };
  } catch (error) {
    if (!rerunOnPrimary || (await routing.stillAnswering(target))) throw error;
    const again = primaryFreshness(new Date());
    return { value: await read(again), freshness: again };
  }
}

/** The same, for answers that carry their freshness as a `freshness` field. */
export async function withFreshness<T extends object>(em: Em, read: () => Promise<T>): Promise<T & { freshness: DataFreshness }> {
  const { value, freshness } = await readFromReplica(em, read);
  return Object.assign(value, { freshness });
}

/** A download's `X-Data-Freshness` header: source, replica, lag and asOf, as the GraphQL `freshness` field says them. */
export function freshnessHeader(freshness: DataFreshness): string {
  return [
    `source=${freshness.source}`,
    ...(freshness.replica ? [`replica=${freshness.replica}`] : []),
    `lagSeconds=${freshness.lagSeconds}`,
    `asOf=${freshness.asOf.toISOString()}`,
  ].join('; ');
}

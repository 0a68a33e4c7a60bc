import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The replicas' heartbeat (issue 17): one row the primary's API instances overwrite with the primary's
 * clock every second (db/read-replicas.ts), pt-heartbeat style. On a replica the row is as old as the
 * last write it has applied, so its age there is the replica's lag, measured with no privileges on the
 * replica and without trusting its own report (Seconds_Behind_Master reads 0 while the IO thread
 * stalls). Written only when DATABASE_REPLICA_URLS is set.
 */
@Entity({ tableName: 'replica_heartbeat' })
export class ReplicaHeartbeat {
  /** Always 1: one row. */
  @PrimaryKey({ type: 'integer', autoincrement: false })
  id!: number;

  /** When the primary last wrote it, to the microsecond (UTC). */
  @Property({ type: 'Date', length: 6 })
  beatAt!: Date;
}

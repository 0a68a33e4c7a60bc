import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A scheduled job's lease: the instance whose conditional UPDATE took it (owner, lease_until) runs the
 * job; the others skip that tick. A lease that lapses (its holder died) is free again. A job may keep
 * a row of its own here as a record of progress, never leased (visits-due:scanned: the day's last
 * full scan of cadres, in last_started_at).
 */
@Entity({ tableName: 'job_lease' })
export class JobLease {
  @PrimaryKey({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'string', length: 64, nullable: true })
  owner?: string | null;

  @Property({ type: 'Date', length: 3, nullable: true })
  leaseUntil?: Date | null;

  @Property({ type: 'Date', length: 3, nullable: true })
  lastStartedAt?: Date | null;

  @Property({ type: 'Date', length: 3, nullable: true })
  lastFinishedAt?: Date | null;
}

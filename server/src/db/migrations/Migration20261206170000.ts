import { Migration } from '@mikro-orm/migrations';

/**
 * The replicas' heartbeat (issue 17): `replica_heartbeat`, one row the primary overwrites every second
 * while read replicas are configured; its age on a replica is that replica's lag. New table only.
 */
export class Migration20261206170000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table `replica_heartbeat` (`id` int unsigned not null, `beat_at` datetime(6) not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB;',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `replica_heartbeat`;');
  }
}

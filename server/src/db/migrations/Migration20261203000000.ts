import { Migration } from '@mikro-orm/migrations';

const BACKFILL_SLICE = 50_000;

/**
 * The household's confirmation (回访) and the demand timeline (issue 13): the latest answer on the
 * demand, every step in `demand_event`. Existing demands get the steps their row already tells
 * (raised; resolved when resolved_at is set; confirmed when CONFIRMED), with no actor: the migration
 * cannot know who recorded them, and no satisfaction: nobody asked the household then.
 */
export class Migration20261203000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `demand_event` (`id` int unsigned not null auto_increment primary key, `demand_id` int unsigned not null, `kind` enum('RAISED', 'RESOLVED', 'CONFIRMED', 'REOPENED', 'RESOLUTION_WITHDRAWN') not null, `at` datetime(3) not null, `actor_account_id` int unsigned null, `help_record_id` int unsigned null, `satisfaction` enum('SATISFIED', 'BASICALLY_SATISFIED', 'DISSATISFIED') null, `note` varchar(500) null, `client_id` varchar(64) null, `created_at` datetime(3) not null) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql('alter table `demand_event` add index `demand_event_demand_id_index`(`demand_id`);');
    this.addSql('alter table `demand_event` add index `demand_event_actor_account_id_index`(`actor_account_id`);');
    this.addSql('alter table `demand_event` add index `demand_event_help_record_id_index`(`help_record_id`);');
    this.addSql('alter table `demand_event` add index `demand_event_demand_at_index`(`demand_id`, `at`);');
    this.addSql('alter table `demand_event` add unique `demand_event_actor_client_unique`(`actor_account_id`, `client_id`);');
    this.addSql(
      'alter table `demand_event` add constraint `demand_event_demand_id_foreign` foreign key (`demand_id`) references `demand` (`id`) on update cascade;',
    );
    this.addSql(
      'alter table `demand_event` add constraint `demand_event_actor_account_id_foreign` foreign key (`actor_account_id`) references `user_account` (`id`) on update cascade on delete set null;',
    );
    this.addSql(
      'alter table `demand_event` add constraint `demand_event_help_record_id_foreign` foreign key (`help_record_id`) references `help_record` (`id`) on update cascade on delete set null;',
    );

    this.addSql(
      "alter table `demand` add `satisfaction` enum('SATISFIED', 'BASICALLY_SATISFIED', 'DISSATISFIED') null, add `confirmation_note` varchar(500) null, add `reopen_count` int not null default 0;",
    );

    // The steps existing rows already tell, in slices of demand ids so that no statement runs long on a
    // city-sized table (the server's connections give up on a socket silent for 20 s). Per slice the
    // kinds go in the order they happened, so that event ids follow the timeline too.
    const [bounds] = await this.execute('select coalesce(min(`id`), 0) as low, coalesce(max(`id`), 0) as high from `demand`');
    const low = Number(bounds?.low ?? 0);
    const high = Number(bounds?.high ?? 0);
    for (let from = low; high > 0 && from <= high; from += BACKFILL_SLICE) {
      const to = from + BACKFILL_SLICE - 1;
      this.addSql(
        `insert into \`demand_event\` (\`demand_id\`, \`kind\`, \`at\`, \`help_record_id\`, \`created_at\`) select \`id\`, 'RAISED', \`raised_at\`, \`raised_in_id\`, utc_timestamp(3) from \`demand\` where \`id\` between ${from} and ${to} order by \`id\`;`,
      );
      this.addSql(
        `insert into \`demand_event\` (\`demand_id\`, \`kind\`, \`at\`, \`help_record_id\`, \`created_at\`) select \`id\`, 'RESOLVED', \`resolved_at\`, \`resolved_by_id\`, utc_timestamp(3) from \`demand\` where \`resolved_at\` is not null and \`status\` in ('RESOLVED', 'CONFIRMED') and \`id\` between ${from} and ${to} order by \`id\`;`,
      );
      this.addSql(
        `insert into \`demand_event\` (\`demand_id\`, \`kind\`, \`at\`, \`help_record_id\`, \`created_at\`) select \`id\`, 'CONFIRMED', coalesce(\`confirmed_at\`, \`resolved_at\`, \`raised_at\`), \`resolved_by_id\`, utc_timestamp(3) from \`demand\` where \`status\` = 'CONFIRMED' and \`id\` between ${from} and ${to} order by \`id\`;`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `demand_event`;');
    this.addSql('alter table `demand` drop column `satisfaction`, drop column `confirmation_note`, drop column `reopen_count`;');
  }
}

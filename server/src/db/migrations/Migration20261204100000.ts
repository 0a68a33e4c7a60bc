import { Migration } from '@mikro-orm/migrations';

/**
 * Notices and scheduled work (issue 15): the in-app messages (`notice`, one per recipient, at most one
 * per recipient, kind and period for the weekly reminder), the WeChat outbox (`notice_delivery`,
 * claimed by workers under a row lease), the cadres' one-time subscriptions (`notice_subscription`),
 * the access token every instance shares (`wechat_access_token`) and the scheduled jobs' leases
 * (`job_lease`). New tables only: nothing existing changes.
 */
export class Migration20261204100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table `job_lease` (`name` varchar(64) not null, `owner` varchar(64) null, `lease_until` datetime(3) null, `last_started_at` datetime(3) null, `last_finished_at` datetime(3) null, primary key (`name`)) default character set utf8mb4 engine = InnoDB;',
    );
    this.addSql(
      "create table `notice_subscription` (`id` int unsigned not null auto_increment primary key, `account_id` int unsigned not null, `kind` enum('REFERRED_TO_UNIT', 'REFERRAL_RETURNED', 'DEMAND_ESCALATED', 'DEMAND_INSTRUCTED', 'AWAITING_CONFIRMATION', 'VISITS_DUE') not null, `credits` int not null default 0, `updated_at` datetime(3) not null) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql('alter table `notice_subscription` add index `notice_subscription_account_id_index`(`account_id`);');
    this.addSql('alter table `notice_subscription` add unique `notice_subscription_account_kind_unique`(`account_id`, `kind`);');
    this.addSql(
      "create table `notice` (`id` int unsigned not null auto_increment primary key, `recipient_account_id` int unsigned not null, `kind` enum('REFERRED_TO_UNIT', 'REFERRAL_RETURNED', 'DEMAND_ESCALATED', 'DEMAND_INSTRUCTED', 'AWAITING_CONFIRMATION', 'VISITS_DUE') not null, `demand_id` int unsigned null, `referral_id` int unsigned null, `title` varchar(40) not null, `body` varchar(200) not null, `period_key` varchar(16) null, `created_at` datetime(3) not null, `read_at` datetime(3) null) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql('alter table `notice` add index `notice_recipient_account_id_index`(`recipient_account_id`);');
    this.addSql('alter table `notice` add index `notice_demand_id_index`(`demand_id`);');
    this.addSql('alter table `notice` add index `notice_recipient_read_index`(`recipient_account_id`, `read_at`, `id`);');
    this.addSql('alter table `notice` add unique `notice_recipient_kind_period_unique`(`recipient_account_id`, `kind`, `period_key`);');
    this.addSql(
      "create table `notice_delivery` (`id` int unsigned not null auto_increment primary key, `notice_id` int unsigned not null, `template_key` enum('REFERRED_TO_UNIT', 'REFERRAL_RETURNED', 'DEMAND_ESCALATED', 'DEMAND_INSTRUCTED', 'AWAITING_CONFIRMATION', 'VISITS_DUE') not null, `status` enum('PENDING', 'SENT', 'SKIPPED', 'FAILED') not null default 'PENDING', `attempts` int not null default 0, `next_attempt_at` datetime(3) not null, `lease_owner` varchar(64) null, `lease_until` datetime(3) null, `last_error` varchar(200) null, `sent_at` datetime(3) null) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql('alter table `notice_delivery` add unique `notice_delivery_notice_id_unique`(`notice_id`);');
    this.addSql('alter table `notice_delivery` add index `notice_delivery_status_next_index`(`status`, `next_attempt_at`);');
    this.addSql(
      'create table `wechat_access_token` (`app_id` varchar(64) not null, `access_token` varchar(600) not null, `expires_at` datetime(3) not null, `fetched_at` datetime(3) not null, primary key (`app_id`)) default character set utf8mb4 engine = InnoDB;',
    );
    this.addSql(
      'alter table `notice_subscription` add constraint `notice_subscription_account_id_foreign` foreign key (`account_id`) references `user_account` (`id`) on update cascade;',
    );
    this.addSql(
      'alter table `notice` add constraint `notice_recipient_account_id_foreign` foreign key (`recipient_account_id`) references `user_account` (`id`) on update cascade;',
    );
    this.addSql(
      'alter table `notice` add constraint `notice_demand_id_foreign` foreign key (`demand_id`) references `demand` (`id`) on update cascade on delete set null;',
    );
    this.addSql(
      'alter table `notice_delivery` add constraint `notice_delivery_notice_id_foreign` foreign key (`notice_id`) references `notice` (`id`) on update cascade;',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `notice_delivery`;');
    this.addSql('drop table if exists `notice`;');
    this.addSql('drop table if exists `notice_subscription`;');
    this.addSql('drop table if exists `wechat_access_token`;');
    this.addSql('drop table if exists `job_lease`;');
  }
}

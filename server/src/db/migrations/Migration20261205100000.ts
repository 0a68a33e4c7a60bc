import { Migration } from '@mikro-orm/migrations';

/**
 * Changes reported from the field (issue 16): the cadres' reports (`field_report`, with the
 * administrators' inbox index (region, decided, id), the cadre's own list (reporter, id) and the
 * idempotency key (reporter account, clientId)); members who died or moved out kept on the file
 * (`resident.left_on`, `resident.departure`); and the notice kind FIELD_REPORT_DECIDED in every
 * column that holds a notice kind (notice, notice_subscription, notice_delivery). Existing rows
 * keep their values: the new columns are null, the enum columns only gain a value.
 */
export class Migration20261205100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `field_report` (`id` int unsigned not null auto_increment primary key, `kind` enum('PHONE_CHANGED', 'MEMBER_BORN', 'MEMBER_DIED', 'MEMBER_MOVED_OUT', 'HOUSEHOLD_MOVED', 'HARDSHIP_ENDED', 'NEW_HOUSEHOLD') not null, `status` enum('PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN') not null default 'PENDING', `decided` tinyint(1) not null default false, `household_id` int unsigned null, `region_id` int unsigned not null, `head_name` varchar(64) not null, `reporter_cadre_id` int unsigned not null, `reporter_account_id` int unsigned not null, `client_id` varchar(64) not null, `content_hash` varchar(64) not null, `help_record_id` int unsigned null, `proposal` text not null, `applied` text null, `reported_at` datetime(3) not null, `decided_at` datetime(3) null, `decided_by_id` int unsigned null, `decision_note` varchar(500) null, `updated_at` datetime(3) not null) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql('alter table `field_report` add index `field_report_household_id_index`(`household_id`);');
    this.addSql('alter table `field_report` add index `field_report_region_id_index`(`region_id`);');
    this.addSql('alter table `field_report` add index `field_report_reporter_cadre_id_index`(`reporter_cadre_id`);');
    this.addSql('alter table `field_report` add index `field_report_reporter_account_id_index`(`reporter_account_id`);');
    this.addSql('alter table `field_report` add index `field_report_help_record_id_index`(`help_record_id`);');
    this.addSql('alter table `field_report` add index `field_report_decided_by_id_index`(`decided_by_id`);');
    this.addSql('alter table `field_report` add index `field_report_reporter_index`(`reporter_cadre_id`, `id`);');
    this.addSql('alter table `field_report` add index `field_report_inbox_index`(`region_id`, `decided`, `id`);');
    this.addSql('alter table `field_report` add unique `field_report_reporter_client_unique`(`reporter_account_id`, `client_id`);');
    this.addSql(
      'alter table `field_report` add constraint `field_report_household_id_foreign` foreign key (`household_id`) references `household` (`id`) on update cascade on delete set null;',
    );
    this.addSql(
      'alter table `field_report` add constraint `field_report_region_id_foreign` foreign key (`region_id`) references `region` (`id`) on update cascade;',
    );
    this.addSql(
      'alter table `field_report` add constraint `field_report_reporter_cadre_id_foreign` foreign key (`reporter_cadre_id`) references `cadre` (`id`) on update cascade;',
    );
    this.addSql(
      'alter table `field_report` add constraint `field_report_reporter_account_id_foreign` foreign key (`reporter_account_id`) references `user_account` (`id`) on update cascade;',
    );
    this.addSql(
      'alter table `field_report` add constraint `field_report_help_record_id_foreign` foreign key (`help_record_id`) references `help_record` (`id`) on update cascade on delete set null;',
    );
    this.addSql(
      'alter table `field_report` add constraint `field_report_decided_by_id_foreign` foreign key (`decided_by_id`) references `user_account` (`id`) on update cascade on delete set null;',
    );
    this.addSql("alter table `resident` add `left_on` date null, add `departure` enum('DIED', 'MOVED_OUT') null;");
    this.addSql(
      "alter table `notice_subscription` modify `kind` enum('REFERRED_TO_UNIT', 'REFERRAL_RETURNED', 'DEMAND_ESCALATED', 'DEMAND_INSTRUCTED', 'AWAITING_CONFIRMATION', 'VISITS_DUE', 'FIELD_REPORT_DECIDED') not null;",
    );
    this.addSql(
      "alter table `notice` modify `kind` enum('REFERRED_TO_UNIT', 'REFERRAL_RETURNED', 'DEMAND_ESCALATED', 'DEMAND_INSTRUCTED', 'AWAITING_CONFIRMATION', 'VISITS_DUE', 'FIELD_REPORT_DECIDED') not null;",
    );
    this.addSql(
      "alter table `notice_delivery` modify `template_key` enum('REFERRED_TO_UNIT', 'REFERRAL_RETURNED', 'DEMAND_ESCALATED', 'DEMAND_INSTRUCTED', 'AWAITING_CONFIRMATION', 'VISITS_DUE', 'FIELD_REPORT_DECIDED') not null;",
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `field_report`;');
    this.addSql('alter table `resident` drop column `left_on`, drop column `departure`;');
    // Notices of the new kind cannot stay in a column that no longer allows it: they go with the feature.
    this.addSql("delete from `notice_delivery` where `template_key` = 'FIELD_REPORT_DECIDED';");
    this.addSql("delete from `notice` where `kind` = 'FIELD_REPORT_DECIDED';");
    this.addSql("delete from `notice_subscription` where `kind` = 'FIELD_REPORT_DECIDED';");
    this.addSql(
      "alter table `notice_subscription` modify `kind` enum('REFERRED_TO_UNIT', 'REFERRAL_RETURNED', 'DEMAND_ESCALATED', 'DEMAND_INSTRUCTED', 'AWAITING_CONFIRMATION', 'VISITS_DUE') not null;",
    );
    this.addSql(
      "alter table `notice` modify `kind` enum('REFERRED_TO_UNIT', 'REFERRAL_RETURNED', 'DEMAND_ESCALATED', 'DEMAND_INSTRUCTED', 'AWAITING_CONFIRMATION', 'VISITS_DUE') not null;",
    );
    this.addSql(
      "alter table `notice_delivery` modify `template_key` enum('REFERRED_TO_UNIT', 'REFERRAL_RETURNED', 'DEMAND_ESCALATED', 'DEMAND_INSTRUCTED', 'AWAITING_CONFIRMATION', 'VISITS_DUE') not null;",
    );
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * A new round's carry-over and bulk reassignment (issue 16): `bulk_run` (the plan and the run's state,
 * counters and lease) and `bulk_run_item` (one row per candidate: its verdict and what it became;
 * unique (run, subject) so that no item is done twice; (run, outcome, id) for the worker's next batch
 * and the filtered pages). New tables only: nothing existing changes.
 */
export class Migration20261205200000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `bulk_run` (`id` int unsigned not null auto_increment primary key, `kind` enum('ROUND_ROLLOVER', 'BULK_REASSIGNMENT') not null, `state` enum('PLANNED', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED') not null default 'PLANNED', `region_id` int unsigned not null, `region_path` varchar(255) not null, `scope_path` varchar(255) not null, `planned_by_id` int unsigned not null, `started_by_id` int unsigned null, `from_round_id` int unsigned null, `to_round_id` int unsigned null, `carry` enum('PAIRINGS', 'ASSIGNMENTS', 'BOTH') null, `unit_id` int unsigned null, `from_cadre_id` int unsigned null, `target_group` enum('HARDSHIP', 'KEY_FOCUS', 'PETITIONER') null, `reason` varchar(255) not null, `items_total` int not null default 0, `items_planned` int not null default 0, `items_done` int not null default 0, `items_skipped_at_run` int not null default 0, `lease_owner` varchar(64) null, `lease_until` datetime(3) null, `failures` int not null default 0, `failure` varchar(255) null, `planned_at` datetime(3) not null, `started_at` datetime(3) null, `finished_at` datetime(3) null) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql('alter table `bulk_run` add index `bulk_run_region_id_index`(`region_id`);');
    this.addSql('alter table `bulk_run` add index `bulk_run_region_path_index`(`region_path`);');
    this.addSql('alter table `bulk_run` add index `bulk_run_planned_by_id_index`(`planned_by_id`);');
    this.addSql('alter table `bulk_run` add index `bulk_run_started_by_id_index`(`started_by_id`);');
    this.addSql('alter table `bulk_run` add index `bulk_run_from_round_id_index`(`from_round_id`);');
    this.addSql('alter table `bulk_run` add index `bulk_run_to_round_id_index`(`to_round_id`);');
    this.addSql('alter table `bulk_run` add index `bulk_run_unit_id_index`(`unit_id`);');
    this.addSql('alter table `bulk_run` add index `bulk_run_from_cadre_id_index`(`from_cadre_id`);');
    this.addSql('alter table `bulk_run` add index `bulk_run_state_lease_index`(`state`, `lease_until`);');
    this.addSql(
      "create table `bulk_run_item` (`id` int unsigned not null auto_increment primary key, `run_id` int unsigned not null, `subject_kind` enum('UNIT_PAIRING', 'ASSIGNMENT', 'HOUSEHOLD') not null, `subject_id` int unsigned not null, `outcome` enum('PENDING', 'DONE', 'SKIPPED') not null, `reason` enum('CADRE_INACTIVE', 'CADRE_OVER_CAPACITY', 'CADRE_OUT_OF_REACH', 'HOUSEHOLD_LIFTED', 'HOUSEHOLD_MOVED_AWAY', 'HOUSEHOLD_CLOSED', 'PLACE_NOT_VILLAGE', 'UNIT_OUT_OF_REACH', 'ALREADY_CARRIED', 'NO_LONGER_ACTIVE', 'ALREADY_WITH_CADRE', 'NO_ACTIVE_ASSIGNMENT', 'NO_CADRE_WITH_ROOM') null, `skipped_at_run` tinyint(1) not null default false, `household_id` int unsigned null, `cadre_id` int unsigned null, `to_cadre_id` int unsigned null, `unit_id` int unsigned null, `region_id` int unsigned null, `result_id` int unsigned null) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql('alter table `bulk_run_item` add index `bulk_run_item_run_id_index`(`run_id`);');
    this.addSql('alter table `bulk_run_item` add index `bulk_run_item_run_outcome_index`(`run_id`, `outcome`, `id`);');
    this.addSql('alter table `bulk_run_item` add unique `bulk_run_item_subject_unique`(`run_id`, `subject_kind`, `subject_id`);');
    this.addSql('alter table `bulk_run` add constraint `bulk_run_region_id_foreign` foreign key (`region_id`) references `region` (`id`) on update cascade;');
    this.addSql(
      'alter table `bulk_run` add constraint `bulk_run_planned_by_id_foreign` foreign key (`planned_by_id`) references `user_account` (`id`) on update cascade;',
    );
    this.addSql(
      'alter table `bulk_run` add constraint `bulk_run_started_by_id_foreign` foreign key (`started_by_id`) references `user_account` (`id`) on update cascade on delete set null;',
    );
    this.addSql(
      'alter table `bulk_run` add constraint `bulk_run_from_round_id_foreign` foreign key (`from_round_id`) references `round` (`id`) on update cascade on delete set null;',
    );
    this.addSql(
      'alter table `bulk_run` add constraint `bulk_run_to_round_id_foreign` foreign key (`to_round_id`) references `round` (`id`) on update cascade on delete set null;',
    );
    this.addSql(
      'alter table `bulk_run` add constraint `bulk_run_unit_id_foreign` foreign key (`unit_id`) references `unit` (`id`) on update cascade on delete set null;',
    );
    this.addSql(
      'alter table `bulk_run` add constraint `bulk_run_from_cadre_id_foreign` foreign key (`from_cadre_id`) references `cadre` (`id`) on update cascade on delete set null;',
    );
    this.addSql(
      'alter table `bulk_run_item` add constraint `bulk_run_item_run_id_foreign` foreign key (`run_id`) references `bulk_run` (`id`) on update cascade;',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `bulk_run_item`;');
    this.addSql('drop table if exists `bulk_run`;');
  }
}

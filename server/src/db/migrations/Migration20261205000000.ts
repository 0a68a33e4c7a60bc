import { Migration } from '@mikro-orm/migrations';

/**
 * Imports (issue 16): the uploads (`data_import`: file, importer's scope, state, counts, lease), their rows
 * (`data_import_row`: parsed payload, content hash, verdict, and what each became: outcome, entity), the
 * rows' keys for duplicates within the file (`data_import_key`) and the problems (`data_import_problem`).
 * New tables only: nothing existing changes.
 */
export class Migration20261205000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `data_import` (`id` int unsigned not null auto_increment primary key, `kind` enum('HOUSEHOLDS', 'PETITION_CASES', 'CADRES', 'UNIT_PAIRINGS', 'ASSIGNMENTS') not null, `mode` enum('CREATE_ONLY', 'UPDATE_EXISTING') not null, `state` enum('UPLOADED', 'CHECKING', 'CHECKED', 'COMMITTING', 'COMMITTED', 'FAILED', 'CANCELLED') not null default 'UPLOADED', `file_name` varchar(255) not null, `file_hash` varchar(64) not null, `file_format` varchar(8) not null, `csv_encoding` varchar(16) null, `created_by_id` int unsigned not null, `scope_region_id` int unsigned not null, `scope_path` varchar(255) not null, `layout` text null, `rows_total` int null, `rows_done` int not null default 0, `ready_count` int not null default 0, `warning_count` int not null default 0, `accepted_count` int not null default 0, `refused_count` int not null default 0, `created_count` int not null default 0, `updated_count` int not null default 0, `unchanged_count` int not null default 0, `failure` varchar(500) null, `lease_owner` varchar(64) null, `lease_until` datetime(3) null, `created_at` datetime(3) not null, `checked_at` datetime(3) null, `committed_at` datetime(3) null, `updated_at` datetime(3) not null) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql('alter table `data_import` add index `data_import_created_by_id_index`(`created_by_id`);');
    this.addSql('alter table `data_import` add index `data_import_scope_region_id_index`(`scope_region_id`);');
    this.addSql('alter table `data_import` add index `data_import_state_lease_index`(`state`, `lease_until`);');
    this.addSql('alter table `data_import` add index `data_import_scope_index`(`scope_path`, `id`);');
    this.addSql(
      "create table `data_import_row` (`id` int unsigned not null auto_increment primary key, `data_import_id` int unsigned not null, `row_number` int not null, `group_key` varchar(191) not null, `payload` text null, `content_hash` varchar(64) not null, `verdict` enum('READY', 'WARNING', 'ERROR') null, `accepted` tinyint(1) not null default false, `outcome` enum('CREATED', 'UPDATED', 'UNCHANGED', 'REFUSED') null, `entity_name` varchar(64) null, `entity_id` int null) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql('alter table `data_import_row` add index `data_import_row_data_import_id_index`(`data_import_id`);');
    this.addSql('alter table `data_import_row` add index `data_import_row_entity_index`(`entity_name`, `entity_id`);');
    this.addSql('alter table `data_import_row` add index `data_import_row_content_hash_index`(`content_hash`);');
    this.addSql('alter table `data_import_row` add index `data_import_row_import_outcome_index`(`data_import_id`, `outcome`);');
    this.addSql('alter table `data_import_row` add index `data_import_row_import_group_index`(`data_import_id`, `group_key`, `row_number`);');
    this.addSql('alter table `data_import_row` add unique `data_import_row_import_row_unique`(`data_import_id`, `row_number`);');
    this.addSql(
      "create table `data_import_problem` (`id` int unsigned not null auto_increment primary key, `data_import_id` int unsigned not null, `row_number` int not null, `column` varchar(255) null, `severity` enum('ERROR', 'WARNING') not null, `code` varchar(40) not null, `message` varchar(500) not null, `city_detail` varchar(255) null, `accepted` tinyint(1) not null default false, `at_commit` tinyint(1) not null default false) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql('alter table `data_import_problem` add index `data_import_problem_data_import_id_index`(`data_import_id`);');
    this.addSql('alter table `data_import_problem` add index `data_import_problem_import_severity_index`(`data_import_id`, `severity`, `id`);');
    this.addSql('alter table `data_import_problem` add index `data_import_problem_import_row_index`(`data_import_id`, `row_number`, `id`);');
    this.addSql(
      'create table `data_import_key` (`id` int unsigned not null auto_increment primary key, `data_import_id` int unsigned not null, `key_hash` varchar(64) not null, `exact` tinyint(1) not null, `sort` varchar(32) not null, `row_number` int not null, `group_key` varchar(191) not null) default character set utf8mb4 engine = InnoDB;',
    );
    this.addSql('alter table `data_import_key` add index `data_import_key_data_import_id_index`(`data_import_id`);');
    this.addSql('alter table `data_import_key` add index `data_import_key_import_hash_index`(`data_import_id`, `key_hash`, `row_number`);');
    this.addSql(
      'alter table `data_import` add constraint `data_import_created_by_id_foreign` foreign key (`created_by_id`) references `user_account` (`id`) on update cascade;',
    );
    this.addSql(
      'alter table `data_import` add constraint `data_import_scope_region_id_foreign` foreign key (`scope_region_id`) references `region` (`id`) on update cascade;',
    );
    this.addSql(
      'alter table `data_import_row` add constraint `data_import_row_data_import_id_foreign` foreign key (`data_import_id`) references `data_import` (`id`) on update cascade;',
    );
    this.addSql(
      'alter table `data_import_problem` add constraint `data_import_problem_data_import_id_foreign` foreign key (`data_import_id`) references `data_import` (`id`) on update cascade;',
    );
    this.addSql(
      'alter table `data_import_key` add constraint `data_import_key_data_import_id_foreign` foreign key (`data_import_id`) references `data_import` (`id`) on update cascade;',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `data_import_problem`;');
    this.addSql('drop table if exists `data_import_key`;');
    this.addSql('drop table if exists `data_import_row`;');
    this.addSql('drop table if exists `data_import`;');
  }
}

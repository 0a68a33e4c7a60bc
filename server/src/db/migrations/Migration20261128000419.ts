import { Migration } from '@mikro-orm/migrations';

export class Migration20261128000419 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`contact_point_kind\` (\`id\` int unsigned not null auto_increment primary key, \`code\` varchar(32) not null, \`name\` varchar(64) not null, \`sort_order\` int not null default 0, \`active\` tinyint(1) not null default true) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`contact_point_kind\` add unique \`contact_point_kind_code_unique\`(\`code\`);`);

    this.addSql(
      `create table \`region\` (\`id\` int unsigned not null auto_increment primary key, \`code\` varchar(12) not null, \`name\` varchar(64) not null, \`level\` enum('CITY', 'DISTRICT', 'COUNTY', 'TOWNSHIP', 'STREET', 'VILLAGE', 'COMMUNITY') not null, \`parent_id\` int unsigned null, \`path\` varchar(255) not null, \`depth\` int not null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`region\` add unique \`region_code_unique\`(\`code\`);`);
    this.addSql(`alter table \`region\` add index \`region_level_index\`(\`level\`);`);
    this.addSql(`alter table \`region\` add index \`region_parent_id_index\`(\`parent_id\`);`);
    this.addSql(`alter table \`region\` add index \`region_path_index\`(\`path\`);`);

    this.addSql(
      `create table \`household\` (\`id\` int unsigned not null auto_increment primary key, \`region_id\` int unsigned not null, \`address\` varchar(255) not null, \`head_name\` varchar(64) not null, \`phone\` varchar(20) null, \`is_hardship\` tinyint(1) not null default false, \`is_key_focus\` tinyint(1) not null default false, \`is_petitioner\` tinyint(1) not null default false, \`hardship_reasons\` text not null, \`status\` enum('ACTIVE', 'LIFTED', 'MOVED_AWAY', 'CLOSED') not null default 'ACTIVE', \`last_visit_at\` datetime(3) null, \`version\` int not null default 1, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`household\` add index \`household_region_id_index\`(\`region_id\`);`);
    this.addSql(`alter table \`household\` add index \`household_head_name_index\`(\`head_name\`);`);
    this.addSql(`alter table \`household\` add index \`household_last_visit_at_index\`(\`last_visit_at\`);`);
    this.addSql(`alter table \`household\` add index \`household_hardship_region_index\`(\`is_hardship\`, \`region_id\`);`);
    this.addSql(`alter table \`household\` add index \`household_key_focus_region_index\`(\`is_key_focus\`, \`region_id\`);`);
    this.addSql(`alter table \`household\` add index \`household_petitioner_region_index\`(\`is_petitioner\`, \`region_id\`);`);
    this.addSql(`alter table \`household\` add index \`household_region_status_index\`(\`region_id\`, \`status\`);`);

    this.addSql(
      `create table \`resident\` (\`id\` int unsigned not null auto_increment primary key, \`household_id\` int unsigned not null, \`name\` varchar(64) not null, \`relation\` enum('HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'GRANDPARENT', 'GRANDCHILD', 'SIBLING', 'OTHER') not null, \`gender\` enum('MALE', 'FEMALE') not null, \`birth_date\` date null, \`id_number\` varchar(18) null, \`key_focus_reason\` enum('RELEASED_PRISONER', 'UNEMPLOYED', 'GRIEVANCE', 'SUDDEN_MISFORTUNE', 'DISASTER_VICTIM') null, \`is_petitioner\` tinyint(1) not null default false, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`resident\` add index \`resident_household_id_index\`(\`household_id\`);`);
    this.addSql(`alter table \`resident\` add unique \`resident_id_number_unique\`(\`id_number\`);`);
    this.addSql(`alter table \`resident\` add index \`resident_key_focus_reason_index\`(\`key_focus_reason\`);`);

    this.addSql(
      `create table \`round\` (\`id\` int unsigned not null auto_increment primary key, \`name\` varchar(64) not null, \`starts_on\` date not null, \`ends_on\` date not null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`round\` add unique \`round_name_unique\`(\`name\`);`);
    this.addSql(`alter table \`round\` add index \`round_starts_on_index\`(\`starts_on\`);`);

    this.addSql(
      `create table \`unit\` (\`id\` int unsigned not null auto_increment primary key, \`name\` varchar(128) not null, \`kind\` enum('AGENCY', 'STATE_ENTERPRISE', 'PUBLIC_INSTITUTION') not null, \`level\` enum('CITY', 'COUNTY', 'TOWNSHIP') not null, \`region_id\` int unsigned not null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`unit\` add index \`unit_name_index\`(\`name\`);`);
    this.addSql(`alter table \`unit\` add index \`unit_kind_index\`(\`kind\`);`);
    this.addSql(`alter table \`unit\` add index \`unit_region_id_index\`(\`region_id\`);`);

    this.addSql(
      `create table \`cadre\` (\`id\` int unsigned not null auto_increment primary key, \`name\` varchar(64) not null, \`unit_id\` int unsigned not null, \`post\` varchar(64) not null, \`rank\` enum('BUREAU', 'DIVISION', 'SECTION', 'STAFF') not null, \`party_member\` tinyint(1) not null default true, \`phone\` varchar(20) null, \`active\` tinyint(1) not null default true, \`household_capacity\` int not null default 5, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`cadre\` add index \`cadre_name_index\`(\`name\`);`);
    this.addSql(`alter table \`cadre\` add index \`cadre_unit_id_index\`(\`unit_id\`);`);
    this.addSql(`alter table \`cadre\` add index \`cadre_unit_active_index\`(\`unit_id\`, \`active\`);`);

    this.addSql(
      `create table \`petition_case\` (\`id\` int unsigned not null auto_increment primary key, \`household_id\` int unsigned not null, \`resident_id\` int unsigned null, \`title\` varchar(200) not null, \`demand\` text not null, \`received_on\` date not null, \`major_backlog\` tinyint(1) not null default false, \`responsible_leader_id\` int unsigned null, \`status\` enum('REGISTERED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED') not null default 'REGISTERED', \`resolved_at\` datetime(3) null, \`resolution\` text null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`petition_case\` add index \`petition_case_household_id_index\`(\`household_id\`);`);
    this.addSql(`alter table \`petition_case\` add index \`petition_case_resident_id_index\`(\`resident_id\`);`);
    this.addSql(`alter table \`petition_case\` add index \`petition_case_responsible_leader_id_index\`(\`responsible_leader_id\`);`);
    this.addSql(`alter table \`petition_case\` add index \`petition_case_status_major_index\`(\`status\`, \`major_backlog\`);`);

    this.addSql(
      `create table \`contact_point\` (\`id\` int unsigned not null auto_increment primary key, \`leader_id\` int unsigned not null, \`kind_id\` int unsigned not null, \`round_id\` int unsigned not null, \`target_region_id\` int unsigned null, \`unit_id\` int unsigned null, \`household_id\` int unsigned null, \`petition_case_id\` int unsigned null, \`note\` varchar(255) null, \`started_on\` date not null, \`ended_on\` date null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`contact_point\` add index \`contact_point_leader_id_index\`(\`leader_id\`);`);
    this.addSql(`alter table \`contact_point\` add index \`contact_point_kind_id_index\`(\`kind_id\`);`);
    this.addSql(`alter table \`contact_point\` add index \`contact_point_round_id_index\`(\`round_id\`);`);
    this.addSql(`alter table \`contact_point\` add index \`contact_point_target_region_id_index\`(\`target_region_id\`);`);
    this.addSql(`alter table \`contact_point\` add index \`contact_point_unit_id_index\`(\`unit_id\`);`);
    this.addSql(`alter table \`contact_point\` add index \`contact_point_household_id_index\`(\`household_id\`);`);
    this.addSql(`alter table \`contact_point\` add index \`contact_point_petition_case_id_index\`(\`petition_case_id\`);`);
    this.addSql(`alter table \`contact_point\` add index \`contact_point_leader_round_index\`(\`leader_id\`, \`round_id\`);`);

    this.addSql(
      `create table \`assignment\` (\`id\` int unsigned not null auto_increment primary key, \`cadre_id\` int unsigned not null, \`household_id\` int unsigned not null, \`round_id\` int unsigned not null, \`kind\` enum('ONE_TO_ONE', 'REGULAR') not null, \`started_at\` datetime(3) not null, \`ended_at\` datetime(3) null, \`end_reason\` varchar(255) null, \`transferred_from_id\` int unsigned null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`assignment\` add index \`assignment_cadre_id_index\`(\`cadre_id\`);`);
    this.addSql(`alter table \`assignment\` add index \`assignment_household_id_index\`(\`household_id\`);`);
    this.addSql(`alter table \`assignment\` add index \`assignment_round_id_index\`(\`round_id\`);`);
    this.addSql(`alter table \`assignment\` add index \`assignment_transferred_from_id_index\`(\`transferred_from_id\`);`);
    this.addSql(`alter table \`assignment\` add index \`assignment_household_ended_index\`(\`household_id\`, \`ended_at\`);`);
    this.addSql(`alter table \`assignment\` add index \`assignment_cadre_ended_index\`(\`cadre_id\`, \`ended_at\`);`);

    this.addSql(
      `create table \`help_record\` (\`id\` int unsigned not null auto_increment primary key, \`household_id\` int unsigned not null, \`cadre_id\` int unsigned not null, \`assignment_id\` int unsigned not null, \`round_id\` int unsigned not null, \`occurred_at\` datetime(3) not null, \`kinds\` text not null, \`summary\` varchar(1000) not null, \`funds_fen\` int not null default 0, \`materials_fen\` int not null default 0, \`problems_solved\` int not null default 0, \`photo_ids\` text not null, \`latitude\` double null, \`longitude\` double null, \`client_id\` varchar(64) not null, \`supersedes_id\` int unsigned null, \`version_number\` int not null default 1, \`is_latest\` tinyint(1) not null default true, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`help_record\` add index \`help_record_household_id_index\`(\`household_id\`);`);
    this.addSql(`alter table \`help_record\` add index \`help_record_cadre_id_index\`(\`cadre_id\`);`);
    this.addSql(`alter table \`help_record\` add index \`help_record_assignment_id_index\`(\`assignment_id\`);`);
    this.addSql(`alter table \`help_record\` add index \`help_record_round_id_index\`(\`round_id\`);`);
    this.addSql(`alter table \`help_record\` add unique \`help_record_client_id_unique\`(\`client_id\`);`);
    this.addSql(`alter table \`help_record\` add unique \`help_record_supersedes_id_unique\`(\`supersedes_id\`);`);
    this.addSql(`alter table \`help_record\` add index \`help_record_round_latest_occurred_index\`(\`round_id\`, \`is_latest\`, \`occurred_at\`);`);
    this.addSql(`alter table \`help_record\` add index \`help_record_cadre_occurred_index\`(\`cadre_id\`, \`occurred_at\`);`);
    this.addSql(`alter table \`help_record\` add index \`help_record_household_occurred_index\`(\`household_id\`, \`occurred_at\`);`);

    this.addSql(
      `create table \`demand\` (\`id\` int unsigned not null auto_increment primary key, \`household_id\` int unsigned not null, \`category\` enum('LIVELIHOOD', 'HOUSING', 'MEDICAL', 'EMPLOYMENT', 'EDUCATION', 'SOCIAL_SECURITY', 'LEGAL', 'INFRASTRUCTURE', 'OTHER') not null, \`text\` text not null, \`raised_at\` datetime(3) not null, \`due_on\` date null, \`status\` enum('OPEN', 'IN_PROGRESS', 'RESOLVED', 'ESCALATED', 'CONFIRMED') not null default 'OPEN', \`raised_in_id\` int unsigned null, \`resolved_by_id\` int unsigned null, \`resolved_at\` datetime(3) null, \`confirmed_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`demand\` add index \`demand_household_id_index\`(\`household_id\`);`);
    this.addSql(`alter table \`demand\` add index \`demand_category_index\`(\`category\`);`);
    this.addSql(`alter table \`demand\` add index \`demand_raised_in_id_index\`(\`raised_in_id\`);`);
    this.addSql(`alter table \`demand\` add index \`demand_resolved_by_id_index\`(\`resolved_by_id\`);`);
    this.addSql(`alter table \`demand\` add index \`demand_status_due_index\`(\`status\`, \`due_on\`);`);
    this.addSql(`alter table \`demand\` add index \`demand_household_status_index\`(\`household_id\`, \`status\`);`);

    this.addSql(
      `create table \`unit_pairing\` (\`id\` int unsigned not null auto_increment primary key, \`unit_id\` int unsigned not null, \`region_id\` int unsigned not null, \`round_id\` int unsigned not null, \`started_on\` date not null, \`ended_on\` date null, \`end_reason\` varchar(255) null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`unit_pairing\` add index \`unit_pairing_unit_id_index\`(\`unit_id\`);`);
    this.addSql(`alter table \`unit_pairing\` add index \`unit_pairing_region_id_index\`(\`region_id\`);`);
    this.addSql(`alter table \`unit_pairing\` add index \`unit_pairing_round_id_index\`(\`round_id\`);`);
    this.addSql(`alter table \`unit_pairing\` add index \`unit_pairing_unit_ended_index\`(\`unit_id\`, \`ended_on\`);`);
    this.addSql(`alter table \`unit_pairing\` add index \`unit_pairing_round_region_index\`(\`round_id\`, \`region_id\`);`);

    this.addSql(
      `create table \`user_account\` (\`id\` int unsigned not null auto_increment primary key, \`role\` enum('ADMIN', 'ANALYST', 'CADRE') not null, \`scope_region_id\` int unsigned null, \`cadre_id\` int unsigned null, \`username\` varchar(64) null, \`password_hash\` varchar(255) null, \`wechat_openid\` varchar(64) null, \`bind_code_hash\` varchar(128) null, \`bind_code_expires_at\` datetime(3) null, \`active\` tinyint(1) not null default true, \`last_login_at\` datetime(3) null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`user_account\` add index \`user_account_role_index\`(\`role\`);`);
    this.addSql(`alter table \`user_account\` add index \`user_account_scope_region_id_index\`(\`scope_region_id\`);`);
    this.addSql(`alter table \`user_account\` add unique \`user_account_cadre_id_unique\`(\`cadre_id\`);`);
    this.addSql(`alter table \`user_account\` add unique \`user_account_username_unique\`(\`username\`);`);
    this.addSql(`alter table \`user_account\` add unique \`user_account_wechat_openid_unique\`(\`wechat_openid\`);`);
    this.addSql(`alter table \`user_account\` add unique \`user_account_bind_code_hash_unique\`(\`bind_code_hash\`);`);

    this.addSql(
      `create table \`audit_entry\` (\`id\` int unsigned not null auto_increment primary key, \`actor_id\` int unsigned null, \`at\` datetime(3) not null, \`operation\` varchar(64) not null, \`entity_name\` varchar(64) not null, \`entity_id\` varchar(64) not null, \`changes\` text null, \`reason\` varchar(255) null, \`client_address\` varchar(64) null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`audit_entry\` add index \`audit_entry_actor_id_index\`(\`actor_id\`);`);
    this.addSql(`alter table \`audit_entry\` add index \`audit_entry_at_index\`(\`at\`);`);
    this.addSql(`alter table \`audit_entry\` add index \`audit_entry_actor_at_index\`(\`actor_id\`, \`at\`);`);
    this.addSql(`alter table \`audit_entry\` add index \`audit_entry_entity_index\`(\`entity_name\`, \`entity_id\`);`);

    this.addSql(
      `alter table \`region\` add constraint \`region_parent_id_foreign\` foreign key (\`parent_id\`) references \`region\` (\`id\`) on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table \`household\` add constraint \`household_region_id_foreign\` foreign key (\`region_id\`) references \`region\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`resident\` add constraint \`resident_household_id_foreign\` foreign key (\`household_id\`) references \`household\` (\`id\`) on update cascade;`,
    );

    this.addSql(`alter table \`unit\` add constraint \`unit_region_id_foreign\` foreign key (\`region_id\`) references \`region\` (\`id\`) on update cascade;`);

    this.addSql(`alter table \`cadre\` add constraint \`cadre_unit_id_foreign\` foreign key (\`unit_id\`) references \`unit\` (\`id\`) on update cascade;`);

    this.addSql(
      `alter table \`petition_case\` add constraint \`petition_case_household_id_foreign\` foreign key (\`household_id\`) references \`household\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`petition_case\` add constraint \`petition_case_resident_id_foreign\` foreign key (\`resident_id\`) references \`resident\` (\`id\`) on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table \`petition_case\` add constraint \`petition_case_responsible_leader_id_foreign\` foreign key (\`responsible_leader_id\`) references \`cadre\` (\`id\`) on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table \`contact_point\` add constraint \`contact_point_leader_id_foreign\` foreign key (\`leader_id\`) references \`cadre\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`contact_point\` add constraint \`contact_point_kind_id_foreign\` foreign key (\`kind_id\`) references \`contact_point_kind\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`contact_point\` add constraint \`contact_point_round_id_foreign\` foreign key (\`round_id\`) references \`round\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`contact_point\` add constraint \`contact_point_target_region_id_foreign\` foreign key (\`target_region_id\`) references \`region\` (\`id\`) on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table \`contact_point\` add constraint \`contact_point_unit_id_foreign\` foreign key (\`unit_id\`) references \`unit\` (\`id\`) on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table \`contact_point\` add constraint \`contact_point_household_id_foreign\` foreign key (\`household_id\`) references \`household\` (\`id\`) on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table \`contact_point\` add constraint \`contact_point_petition_case_id_foreign\` foreign key (\`petition_case_id\`) references \`petition_case\` (\`id\`) on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table \`assignment\` add constraint \`assignment_cadre_id_foreign\` foreign key (\`cadre_id\`) references \`cadre\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`assignment\` add constraint \`assignment_household_id_foreign\` foreign key (\`household_id\`) references \`household\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`assignment\` add constraint \`assignment_round_id_foreign\` foreign key (\`round_id\`) references \`round\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`assignment\` add constraint \`assignment_transferred_from_id_foreign\` foreign key (\`transferred_from_id\`) references \`assignment\` (\`id\`) on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table \`help_record\` add constraint \`help_record_household_id_foreign\` foreign key (\`household_id\`) references \`household\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`help_record\` add constraint \`help_record_cadre_id_foreign\` foreign key (\`cadre_id\`) references \`cadre\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`help_record\` add constraint \`help_record_assignment_id_foreign\` foreign key (\`assignment_id\`) references \`assignment\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`help_record\` add constraint \`help_record_round_id_foreign\` foreign key (\`round_id\`) references \`round\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`help_record\` add constraint \`help_record_supersedes_id_foreign\` foreign key (\`supersedes_id\`) references \`help_record\` (\`id\`) on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table \`demand\` add constraint \`demand_household_id_foreign\` foreign key (\`household_id\`) references \`household\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`demand\` add constraint \`demand_raised_in_id_foreign\` foreign key (\`raised_in_id\`) references \`help_record\` (\`id\`) on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table \`demand\` add constraint \`demand_resolved_by_id_foreign\` foreign key (\`resolved_by_id\`) references \`help_record\` (\`id\`) on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table \`unit_pairing\` add constraint \`unit_pairing_unit_id_foreign\` foreign key (\`unit_id\`) references \`unit\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`unit_pairing\` add constraint \`unit_pairing_region_id_foreign\` foreign key (\`region_id\`) references \`region\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`unit_pairing\` add constraint \`unit_pairing_round_id_foreign\` foreign key (\`round_id\`) references \`round\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`user_account\` add constraint \`user_account_scope_region_id_foreign\` foreign key (\`scope_region_id\`) references \`region\` (\`id\`) on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table \`user_account\` add constraint \`user_account_cadre_id_foreign\` foreign key (\`cadre_id\`) references \`cadre\` (\`id\`) on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table \`audit_entry\` add constraint \`audit_entry_actor_id_foreign\` foreign key (\`actor_id\`) references \`user_account\` (\`id\`) on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table \`contact_point\` drop foreign key \`contact_point_kind_id_foreign\`;`);

    this.addSql(`alter table \`region\` drop foreign key \`region_parent_id_foreign\`;`);

    this.addSql(`alter table \`household\` drop foreign key \`household_region_id_foreign\`;`);

    this.addSql(`alter table \`unit\` drop foreign key \`unit_region_id_foreign\`;`);

    this.addSql(`alter table \`contact_point\` drop foreign key \`contact_point_target_region_id_foreign\`;`);

    this.addSql(`alter table \`unit_pairing\` drop foreign key \`unit_pairing_region_id_foreign\`;`);

    this.addSql(`alter table \`user_account\` drop foreign key \`user_account_scope_region_id_foreign\`;`);

    this.addSql(`alter table \`resident\` drop foreign key \`resident_household_id_foreign\`;`);

    this.addSql(`alter table \`petition_case\` drop foreign key \`petition_case_household_id_foreign\`;`);

    this.addSql(`alter table \`contact_point\` drop foreign key \`contact_point_household_id_foreign\`;`);

    this.addSql(`alter table \`assignment\` drop foreign key \`assignment_household_id_foreign\`;`);

    this.addSql(`alter table \`help_record\` drop foreign key \`help_record_household_id_foreign\`;`);

    this.addSql(`alter table \`demand\` drop foreign key \`demand_household_id_foreign\`;`);

    this.addSql(`alter table \`petition_case\` drop foreign key \`petition_case_resident_id_foreign\`;`);

    this.addSql(`alter table \`contact_point\` drop foreign key \`contact_point_round_id_foreign\`;`);

    this.addSql(`alter table \`assignment\` drop foreign key \`assignment_round_id_foreign\`;`);

    this.addSql(`alter table \`help_record\` drop foreign key \`help_record_round_id_foreign\`;`);

    this.addSql(`alter table \`unit_pairing\` drop foreign key \`unit_pairing_round_id_foreign\`;`);

    this.addSql(`alter table \`cadre\` drop foreign key \`cadre_unit_id_foreign\`;`);

    this.addSql(`alter table \`contact_point\` drop foreign key \`contact_point_unit_id_foreign\`;`);

    this.addSql(`alter table \`unit_pairing\` drop foreign key \`unit_pairing_unit_id_foreign\`;`);

    this.addSql(`alter table \`petition_case\` drop foreign key \`petition_case_responsible_leader_id_foreign\`;`);

    this.addSql(`alter table \`contact_point\` drop foreign key \`contact_point_leader_id_foreign\`;`);

    this.addSql(`alter table \`assignment\` drop foreign key \`assignment_cadre_id_foreign\`;`);

    this.addSql(`alter table \`help_record\` drop foreign key \`help_record_cadre_id_foreign\`;`);

    this.addSql(`alter table \`user_account\` drop foreign key \`user_account_cadre_id_foreign\`;`);

    this.addSql(`alter table \`contact_point\` drop foreign key \`contact_point_petition_case_id_foreign\`;`);

    this.addSql(`alter table \`assignment\` drop foreign key \`assignment_transferred_from_id_foreign\`;`);

    this.addSql(`alter table \`help_record\` drop foreign key \`help_record_assignment_id_foreign\`;`);

    this.addSql(`alter table \`help_record\` drop foreign key \`help_record_supersedes_id_foreign\`;`);

    this.addSql(`alter table \`demand\` drop foreign key \`demand_raised_in_id_foreign\`;`);

    this.addSql(`alter table \`demand\` drop foreign key \`demand_resolved_by_id_foreign\`;`);

    this.addSql(`alter table \`audit_entry\` drop foreign key \`audit_entry_actor_id_foreign\`;`);

    this.addSql(`drop table if exists \`contact_point_kind\`;`);

    this.addSql(`drop table if exists \`region\`;`);

    this.addSql(`drop table if exists \`household\`;`);

    this.addSql(`drop table if exists \`resident\`;`);

    this.addSql(`drop table if exists \`round\`;`);

    this.addSql(`drop table if exists \`unit\`;`);

    this.addSql(`drop table if exists \`cadre\`;`);

    this.addSql(`drop table if exists \`petition_case\`;`);

    this.addSql(`drop table if exists \`contact_point\`;`);

    this.addSql(`drop table if exists \`assignment\`;`);

    this.addSql(`drop table if exists \`help_record\`;`);

    this.addSql(`drop table if exists \`demand\`;`);

    this.addSql(`drop table if exists \`unit_pairing\`;`);

    this.addSql(`drop table if exists \`user_account\`;`);

    this.addSql(`drop table if exists \`audit_entry\`;`);
  }
}

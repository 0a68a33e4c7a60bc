import { Migration } from '@mikro-orm/migrations';

/** The categories' default time limits (calendar days): [category, demand_days, referral_days]. */
export const DEFAULT_DEMAND_DEADLINES: readonly (readonly [string, number, number])[] = [
  ['LIVELIHOOD', 15, 7],
  ['HOUSING', 30, 15],
  ['MEDICAL', 15, 7],
  ['EMPLOYMENT', 30, 15],
  ['EDUCATION', 30, 15],
  ['SOCIAL_SECURITY', 15, 7],
  ['LEGAL', 30, 15],
  ['INFRASTRUCTURE', 30, 15],
  ['OTHER', 15, 7],
];

/** The escalation ladder's default rungs: [level, code, name, after_days]. */
export const DEFAULT_ESCALATION_RUNGS: readonly (readonly [number, string, string, number])[] = [
  [1, 'UNIT', '本单位', 1],
  [2, 'TOWNSHIP', '乡镇街道', 4],
  [3, 'DISTRICT', '区县', 8],
  [4, 'CITY', '市', 15],
];

/**
 * The demand loop (issue 15): referrals to units (demand_referral), the units' handlers (unit_handler),
 * the categories' time limits (demand_deadline) and the escalation ladder (escalation_rung) as data with
 * their default rows, the rungs lapsed demands reached (demand_escalation); the demand's highest open rung,
 * the timeline's referral, due date, rung and actor label; the new statuses and step kinds. Escalation is
 * no longer a status: demands stored as ESCALATED become OPEN (the enum keeps the value, nothing sets it).
 */
export class Migration20261204000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`demand_deadline\` (\`id\` int unsigned not null auto_increment primary key, \`category\` enum('LIVELIHOOD', 'HOUSING', 'MEDICAL', 'EMPLOYMENT', 'EDUCATION', 'SOCIAL_SECURITY', 'LEGAL', 'INFRASTRUCTURE', 'OTHER') not null, \`demand_days\` int not null, \`referral_days\` int not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`demand_deadline\` add unique \`demand_deadline_category_unique\`(\`category\`);`);

    this.addSql(
      `create table \`escalation_rung\` (\`level\` int unsigned not null, \`code\` varchar(16) not null, \`name\` varchar(32) not null, \`after_days\` int not null, \`updated_at\` datetime(3) not null, primary key (\`level\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`escalation_rung\` add unique \`escalation_rung_code_unique\`(\`code\`);`);

    this.addSql(
      `create table \`unit_handler\` (\`id\` int unsigned not null auto_increment primary key, \`unit_id\` int unsigned not null, \`cadre_id\` int unsigned not null, \`designated_by_account_id\` int unsigned not null, \`started_at\` datetime(3) not null, \`ended_at\` datetime(3) null, \`ended_reason\` varchar(200) null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`unit_handler\` add index \`unit_handler_unit_id_index\`(\`unit_id\`);`);
    this.addSql(`alter table \`unit_handler\` add index \`unit_handler_cadre_id_index\`(\`cadre_id\`);`);
    this.addSql(`alter table \`unit_handler\` add index \`unit_handler_designated_by_account_id_index\`(\`designated_by_account_id\`);`);
    this.addSql(`alter table \`unit_handler\` add index \`unit_handler_cadre_ended_index\`(\`cadre_id\`, \`ended_at\`);`);
    this.addSql(`alter table \`unit_handler\` add index \`unit_handler_unit_ended_index\`(\`unit_id\`, \`ended_at\`);`);

    this.addSql(
      `create table \`demand_referral\` (\`id\` int unsigned not null auto_increment primary key, \`demand_id\` int unsigned not null, \`unit_id\` int unsigned not null, \`status\` enum('PENDING', 'ACCEPTED', 'RETURNED', 'RESOLVED', 'WITHDRAWN') not null default 'PENDING', \`note\` varchar(500) null, \`due_on\` date not null, \`referred_at\` datetime(3) not null, \`referred_by_account_id\` int unsigned not null, \`referred_by_cadre_id\` int unsigned not null, \`accepted_at\` datetime(3) null, \`accepted_by_cadre_id\` int unsigned null, \`returned_at\` datetime(3) null, \`return_reason\` varchar(500) null, \`resolved_at\` datetime(3) null, \`resolution\` varchar(1000) null, \`closed_by_cadre_id\` int unsigned null, \`withdrawn_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`demand_referral\` add index \`demand_referral_demand_id_index\`(\`demand_id\`);`);
    this.addSql(`alter table \`demand_referral\` add index \`demand_referral_unit_id_index\`(\`unit_id\`);`);
    this.addSql(`alter table \`demand_referral\` add index \`demand_referral_referred_by_account_id_index\`(\`referred_by_account_id\`);`);
    this.addSql(`alter table \`demand_referral\` add index \`demand_referral_referred_by_cadre_id_index\`(\`referred_by_cadre_id\`);`);
    this.addSql(`alter table \`demand_referral\` add index \`demand_referral_accepted_by_cadre_id_index\`(\`accepted_by_cadre_id\`);`);
    this.addSql(`alter table \`demand_referral\` add index \`demand_referral_closed_by_cadre_id_index\`(\`closed_by_cadre_id\`);`);
    this.addSql(`alter table \`demand_referral\` add index \`demand_referral_status_due_index\`(\`status\`, \`due_on\`);`);
    this.addSql(`alter table \`demand_referral\` add index \`demand_referral_unit_status_due_index\`(\`unit_id\`, \`status\`, \`due_on\`);`);
    this.addSql(`alter table \`demand_referral\` add index \`demand_referral_demand_status_index\`(\`demand_id\`, \`status\`);`);

    this.addSql(
      `create table \`demand_escalation\` (\`id\` int unsigned not null auto_increment primary key, \`demand_id\` int unsigned not null, \`referral_id\` int unsigned null, \`level\` int not null, \`target_region_id\` int unsigned not null, \`leader_cadre_id\` int unsigned null, \`lapsed_due_on\` date not null, \`escalated_at\` datetime(3) not null, \`settled_at\` datetime(3) null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`demand_escalation\` add index \`demand_escalation_demand_id_index\`(\`demand_id\`);`);
    this.addSql(`alter table \`demand_escalation\` add index \`demand_escalation_referral_id_index\`(\`referral_id\`);`);
    this.addSql(`alter table \`demand_escalation\` add index \`demand_escalation_target_region_id_index\`(\`target_region_id\`);`);
    this.addSql(`alter table \`demand_escalation\` add index \`demand_escalation_leader_cadre_id_index\`(\`leader_cadre_id\`);`);
    this.addSql(`alter table \`demand_escalation\` add index \`demand_escalation_leader_settled_index\`(\`leader_cadre_id\`, \`settled_at\`);`);
    this.addSql(
      `alter table \`demand_escalation\` add index \`demand_escalation_target_settled_index\`(\`target_region_id\`, \`settled_at\`, \`escalated_at\`);`,
    );
    this.addSql(`alter table \`demand_escalation\` add index \`demand_escalation_demand_settled_index\`(\`demand_id\`, \`settled_at\`);`);
    this.addSql(`alter table \`demand_escalation\` add unique \`demand_escalation_lapse_unique\`(\`demand_id\`, \`lapsed_due_on\`, \`level\`);`);

    this.addSql(
      `alter table \`unit_handler\` add constraint \`unit_handler_unit_id_foreign\` foreign key (\`unit_id\`) references \`unit\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`unit_handler\` add constraint \`unit_handler_cadre_id_foreign\` foreign key (\`cadre_id\`) references \`cadre\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`unit_handler\` add constraint \`unit_handler_designated_by_account_id_foreign\` foreign key (\`designated_by_account_id\`) references \`user_account\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`demand_referral\` add constraint \`demand_referral_demand_id_foreign\` foreign key (\`demand_id\`) references \`demand\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`demand_referral\` add constraint \`demand_referral_unit_id_foreign\` foreign key (\`unit_id\`) references \`unit\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`demand_referral\` add constraint \`demand_referral_referred_by_account_id_foreign\` foreign key (\`referred_by_account_id\`) references \`user_account\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`demand_referral\` add constraint \`demand_referral_referred_by_cadre_id_foreign\` foreign key (\`referred_by_cadre_id\`) references \`cadre\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`demand_referral\` add constraint \`demand_referral_accepted_by_cadre_id_foreign\` foreign key (\`accepted_by_cadre_id\`) references \`cadre\` (\`id\`) on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table \`demand_referral\` add constraint \`demand_referral_closed_by_cadre_id_foreign\` foreign key (\`closed_by_cadre_id\`) references \`cadre\` (\`id\`) on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table \`demand_escalation\` add constraint \`demand_escalation_demand_id_foreign\` foreign key (\`demand_id\`) references \`demand\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`demand_escalation\` add constraint \`demand_escalation_referral_id_foreign\` foreign key (\`referral_id\`) references \`demand_referral\` (\`id\`) on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table \`demand_escalation\` add constraint \`demand_escalation_target_region_id_foreign\` foreign key (\`target_region_id\`) references \`region\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`demand_escalation\` add constraint \`demand_escalation_leader_cadre_id_foreign\` foreign key (\`leader_cadre_id\`) references \`cadre\` (\`id\`) on update cascade on delete set null;`,
    );

    this.addSql(`alter table \`demand\` add \`escalation_rung\` int not null default 0;`);
    this.addSql(
      `alter table \`demand\` modify \`status\` enum('OPEN', 'IN_PROGRESS', 'REFERRED', 'RESOLVED', 'ESCALATED', 'CONFIRMED') not null default 'OPEN';`,
    );

    this.addSql(
      `alter table \`demand_event\` add \`referral_id\` int unsigned null, add \`due_on\` date null, add \`rung\` int null, add \`actor_label\` varchar(100) null;`,
    );
    this.addSql(
      `alter table \`demand_event\` modify \`kind\` enum('RAISED', 'RESOLVED', 'CONFIRMED', 'REOPENED', 'RESOLUTION_WITHDRAWN', 'WORK_STARTED', 'REFERRED', 'ACCEPTED', 'RETURNED', 'PROGRESS_NOTED', 'ESCALATED', 'INSTRUCTED') not null;`,
    );
    this.addSql(
      `alter table \`demand_event\` add constraint \`demand_event_referral_id_foreign\` foreign key (\`referral_id\`) references \`demand_referral\` (\`id\`) on update cascade on delete set null;`,
    );
    this.addSql(`alter table \`demand_event\` add index \`demand_event_referral_id_index\`(\`referral_id\`);`);

    // The defaults; city administrators change them later (setDemandDeadline, setEscalationRung).
    const deadlines = DEFAULT_DEMAND_DEADLINES.map(
      ([category, demandDays, referralDays]) => `('${category}', ${demandDays}, ${referralDays}, utc_timestamp(3))`,
    );
    this.addSql(`insert into \`demand_deadline\` (\`category\`, \`demand_days\`, \`referral_days\`, \`updated_at\`) values ${deadlines.join(', ')};`);
    const rungs = DEFAULT_ESCALATION_RUNGS.map(([level, code, name, afterDays]) => `(${level}, '${code}', '${name}', ${afterDays}, utc_timestamp(3))`);
    this.addSql(`insert into \`escalation_rung\` (\`level\`, \`code\`, \`name\`, \`after_days\`, \`updated_at\`) values ${rungs.join(', ')};`);

    // Escalation was a status before; now it is escalation_rung, which the sweep sets from the due dates.
    // One statement: the (status, due_on) index finds the rows, and ESCALATED was only ever a small share.
    this.addSql("update `demand` set `status` = 'OPEN' where `status` = 'ESCALATED';");
  }

  /** Drops the loop's tables and columns; demands rewritten from ESCALATED to OPEN stay OPEN. */
  override async down(): Promise<void> {
    this.addSql(`alter table \`demand_escalation\` drop foreign key \`demand_escalation_referral_id_foreign\`;`);

    this.addSql(`alter table \`demand_event\` drop foreign key \`demand_event_referral_id_foreign\`;`);

    this.addSql(`drop table if exists \`demand_deadline\`;`);

    this.addSql(`drop table if exists \`escalation_rung\`;`);

    this.addSql(`drop table if exists \`unit_handler\`;`);

    this.addSql(`drop table if exists \`demand_referral\`;`);

    this.addSql(`drop table if exists \`demand_escalation\`;`);

    this.addSql(`alter table \`demand\` drop column \`escalation_rung\`;`);

    this.addSql(`alter table \`demand\` modify \`status\` enum('OPEN', 'IN_PROGRESS', 'RESOLVED', 'ESCALATED', 'CONFIRMED') not null default 'OPEN';`);

    this.addSql(`alter table \`demand_event\` drop index \`demand_event_referral_id_index\`;`);
    this.addSql(`alter table \`demand_event\` drop column \`referral_id\`, drop column \`due_on\`, drop column \`rung\`, drop column \`actor_label\`;`);

    this.addSql(`alter table \`demand_event\` modify \`kind\` enum('RAISED', 'RESOLVED', 'CONFIRMED', 'REOPENED', 'RESOLUTION_WITHDRAWN') not null;`);
  }
}

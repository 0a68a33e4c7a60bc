import { Migration } from '@mikro-orm/migrations';

export class Migration20261128001807 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`login_throttle\` (\`id\` int unsigned not null auto_increment primary key, \`key\` varchar(191) not null, \`failures\` int not null default 0, \`window_started_at\` datetime(3) not null, \`locked_until\` datetime(3) null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`login_throttle\` add unique \`login_throttle_key_unique\`(\`key\`);`);

    this.addSql(`create table \`refresh_token\` (\`id\` int unsigned not null auto_increment primary key, \`account_id\` int unsigned not null, \`token_hash\` varchar(64) not null, \`family_id\` varchar(36) not null, \`expires_at\` datetime(3) not null, \`revoked_at\` datetime(3) null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`refresh_token\` add index \`refresh_token_account_id_index\`(\`account_id\`);`);
    this.addSql(`alter table \`refresh_token\` add unique \`refresh_token_token_hash_unique\`(\`token_hash\`);`);
    this.addSql(`alter table \`refresh_token\` add index \`refresh_token_family_id_index\`(\`family_id\`);`);

    this.addSql(`alter table \`refresh_token\` add constraint \`refresh_token_account_id_foreign\` foreign key (\`account_id\`) references \`user_account\` (\`id\`) on update cascade;`);

    this.addSql(`alter table \`audit_entry\` add \`region_path\` varchar(255) null;`);
    this.addSql(`alter table \`audit_entry\` add index \`audit_entry_region_path_index\`(\`region_path\`);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`login_throttle\`;`);

    this.addSql(`drop table if exists \`refresh_token\`;`);

    this.addSql(`alter table \`audit_entry\` drop index \`audit_entry_region_path_index\`;`);
    this.addSql(`alter table \`audit_entry\` drop column \`region_path\`;`);
  }

}

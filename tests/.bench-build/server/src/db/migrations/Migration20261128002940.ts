import { Migration } from '@mikro-orm/migrations';

export class Migration20261128002940 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`photo\` (\`id\` varchar(64) not null, \`mime_type\` varchar(32) not null, \`size_bytes\` int not null, \`uploaded_by_id\` int unsigned not null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`photo\` add index \`photo_uploaded_by_id_index\`(\`uploaded_by_id\`);`);

    this.addSql(`alter table \`photo\` add constraint \`photo_uploaded_by_id_foreign\` foreign key (\`uploaded_by_id\`) references \`user_account\` (\`id\`) on update cascade;`);

    this.addSql(`alter table \`resident\` drop index \`resident_id_number_unique\`;`);

    this.addSql(`alter table \`resident\` add index \`resident_id_number_index\`(\`id_number\`);`);

    this.addSql(`alter table \`help_record\` add \`content_hash\` varchar(64) not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`photo\`;`);

    this.addSql(`alter table \`resident\` drop index \`resident_id_number_index\`;`);

    this.addSql(`alter table \`resident\` add unique \`resident_id_number_unique\`(\`id_number\`);`);

    this.addSql(`alter table \`help_record\` drop column \`content_hash\`;`);
  }

}

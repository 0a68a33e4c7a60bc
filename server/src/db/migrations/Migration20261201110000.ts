import { Migration } from '@mikro-orm/migrations';

/** The photo upload quota reads an account's uploads of the last 24 hours through this index. */
export class Migration20261201110000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`photo\` add index \`photo_uploaded_by_id_created_at_index\`(\`uploaded_by_id\`, \`created_at\`);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table \`photo\` drop index \`photo_uploaded_by_id_created_at_index\`;`);
  }
}

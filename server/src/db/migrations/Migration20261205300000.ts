import { Migration } from '@mikro-orm/migrations';

/**
 * An index on household.phone (issue 16): the households import's likely-duplicate check (the same head
 * and phone) and the assignments import's household-by-phone lookup read it for every batch; without it
 * each batch scanned the table.
 */
export class Migration20261205300000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table `household` add index `household_phone_index`(`phone`);');
  }

  override async down(): Promise<void> {
    this.addSql('alter table `household` drop index `household_phone_index`;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * Help records' clientIds are unique per cadre instead of city-wide: a retry is recognised among the
 * caller's own records only, so a clientId of another cadre's record is as unknown as any other.
 * The new key is added before the old one goes, so that no moment is without one.
 */
export class Migration20261202041100 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table `help_record` add unique `help_record_cadre_client_unique`(`cadre_id`, `client_id`);');
    this.addSql('alter table `help_record` drop index `help_record_client_id_unique`;');
  }

  override async down(): Promise<void> {
    this.addSql('alter table `help_record` add unique `help_record_client_id_unique`(`client_id`);');
    this.addSql('alter table `help_record` drop index `help_record_cadre_client_unique`;');
  }
}

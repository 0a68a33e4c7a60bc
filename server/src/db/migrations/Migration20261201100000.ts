import { Migration } from '@mikro-orm/migrations';

/** Account care: one-time passwords that must be changed, when the password changed, and a generation that ends every sign-in. */
export class Migration20261201100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'alter table `user_account` add `must_change_password` tinyint(1) not null default false, add `password_changed_at` datetime(3) null, add `session_generation` int not null default 0;',
    );
  }

  override async down(): Promise<void> {
    this.addSql('alter table `user_account` drop column `must_change_password`, drop column `password_changed_at`, drop column `session_generation`;');
  }
}

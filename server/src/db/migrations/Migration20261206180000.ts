import { Migration } from '@mikro-orm/migrations';

/** The tables whose rows core/locking.ts lockRows locks. */
const LOCKABLE_TABLES = ['household', 'unit', 'region', 'field_report', 'demand', 'escalation_rung', 'cadre', 'petition_case'] as const;

/**
 * Row locks that Galera certifies (issue 17): a `lock_version` column on every table whose rows a
 * check-then-act locks. The lock increments it (a real write, so the row enters the transaction's write
 * set); a no-op update or SELECT … FOR UPDATE left no certification key, and two Galera nodes' checks on
 * the same row both committed. Added last with a constant default: MariaDB 10.3+ adds such a column
 * in place (ALGORITHM=INSTANT), without copying the table.
 */
export class Migration20261206180000 extends Migration {
  override async up(): Promise<void> {
    for (const table of LOCKABLE_TABLES) {
      this.addSql(`alter table \`${table}\` add \`lock_version\` int unsigned not null default 0;`);
    }
  }

  override async down(): Promise<void> {
    for (const table of LOCKABLE_TABLES) {
      this.addSql(`alter table \`${table}\` drop column \`lock_version\`;`);
    }
  }
}

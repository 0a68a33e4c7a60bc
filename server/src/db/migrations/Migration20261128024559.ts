import { Migration } from '@mikro-orm/migrations';

const BACKFILL_SLICE = 50_000;

/** The analysts' monthly help-record summary, and the attribution each help record counts under. */
export class Migration20261128024559 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`help_record_monthly\` (\`round_id\` int unsigned not null, \`month\` varchar(7) not null, \`region_id\` int unsigned not null, \`unit_id\` int unsigned not null, \`target_groups\` int unsigned not null, \`records\` int not null, \`funds_fen\` bigint not null, \`materials_fen\` bigint not null, \`problems_solved\` int not null, primary key (\`round_id\`, \`month\`, \`region_id\`, \`unit_id\`, \`target_groups\`)) default character set utf8mb4 engine = InnoDB;`,
    );

    this.addSql(`alter table \`help_record\` add \`attributed_region_id\` int null, add \`attributed_unit_id\` int null, add \`attributed_groups\` int null;`);
    this.addSql(`alter table \`help_record\` add index \`help_record_attributed_region_id_index\`(\`attributed_region_id\`);`);

    // Records already stored count where their household and cadre are now; the summary starts
    // complete. In slices of ids, so that no statement runs long on a city-sized table (the server's
    // connections give up on a socket silent for 20 s).
    const [bounds] = await this.execute('select coalesce(min(`id`), 0) as low, coalesce(max(`id`), 0) as high from `help_record`');
    const low = Number(bounds?.low ?? 0);
    const high = Number(bounds?.high ?? 0);
    for (let from = low; high > 0 && from <= high; from += BACKFILL_SLICE) {
      const to = from + BACKFILL_SLICE - 1;
      this.addSql(
        `update \`help_record\` h join \`household\` ho on ho.\`id\` = h.\`household_id\` join \`cadre\` c on c.\`id\` = h.\`cadre_id\` set h.\`attributed_region_id\` = ho.\`region_id\`, h.\`attributed_unit_id\` = c.\`unit_id\`, h.\`attributed_groups\` = (case when ho.\`is_hardship\` = 1 then 1 else 0 end) + (case when ho.\`is_key_focus\` = 1 then 2 else 0 end) + (case when ho.\`is_petitioner\` = 1 then 4 else 0 end) where h.\`id\` between ${from} and ${to};`,
      );
      this.addSql(
        `insert into \`help_record_monthly\` (\`round_id\`, \`month\`, \`region_id\`, \`unit_id\`, \`target_groups\`, \`records\`, \`funds_fen\`, \`materials_fen\`, \`problems_solved\`) select \`round_id\`, date_format(date_add(\`occurred_at\`, interval 8 hour), '%Y-%m'), \`attributed_region_id\`, \`attributed_unit_id\`, \`attributed_groups\`, count(*), sum(\`funds_fen\`), sum(\`materials_fen\`), sum(\`problems_solved\`) from \`help_record\` where \`is_latest\` = 1 and \`id\` between ${from} and ${to} group by 1, 2, 3, 4, 5 on duplicate key update \`records\` = \`records\` + values(\`records\`), \`funds_fen\` = \`funds_fen\` + values(\`funds_fen\`), \`materials_fen\` = \`materials_fen\` + values(\`materials_fen\`), \`problems_solved\` = \`problems_solved\` + values(\`problems_solved\`);`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`help_record_monthly\`;`);

    this.addSql(`alter table \`help_record\` drop index \`help_record_attributed_region_id_index\`;`);
    this.addSql(`alter table \`help_record\` drop column \`attributed_region_id\`, drop column \`attributed_unit_id\`, drop column \`attributed_groups\`;`);
  }
}

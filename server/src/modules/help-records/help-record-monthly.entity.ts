import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * 帮扶记录月汇总: the additive figures of help records (latest versions) per round, Asia/Shanghai
 * month, village or community, unit and target groups, kept in the same transaction as every
 * submission and correction so that the analysts' totals read thousands of rows instead of millions.
 * The key is what the record was attributed to when it was made (HelpRecord.attributed*), so a
 * household moving or a cadre changing units later never makes the summary disagree with the detail.
 *
 * Invariant (tested): for every key, the row equals the aggregate of the latest help records with
 * that attribution. `rebuildAnalyticsSummaries` restores it after bulk loads that bypass the service.
 */
@Entity({ tableName: 'help_record_monthly' })
export class HelpRecordMonthly {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  roundId!: number;

  /** YYYY-MM in Asia/Shanghai. */
  @PrimaryKey({ type: 'string', length: 7 })
  month!: string;

  @PrimaryKey({ type: 'integer', autoincrement: false })
  regionId!: number;

  @PrimaryKey({ type: 'integer', autoincrement: false })
  unitId!: number;

  /** Bit set of the household's target groups: 1 hardship, 2 key focus, 4 petitioner. */
  @PrimaryKey({ type: 'integer', autoincrement: false })
  targetGroups!: number;

  @Property({ type: 'integer' })
  records!: number;

  @Property({ type: new BigIntType('number') })
  fundsFen!: number;

  @Property({ type: new BigIntType('number') })
  materialsFen!: number;

  @Property({ type: 'integer' })
  problemsSolved!: number;
}

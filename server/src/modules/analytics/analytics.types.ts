import { TargetGroup } from '@wanjia/shared';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType, type ClassType } from 'type-graphql';
import { Cadre } from '../cadres/cadre.entity';
import { Region } from '../regions/region.entity';
import { PageInfo, type Connection } from '../../core/pagination';
import { DataFreshness, FRESHNESS_DESCRIPTION } from '../../core/read-replicas';

/**
 * Every figure the analysts' queries report. Each has a drill-down: the records it counts, from the
 * query named by its record type (`analyticsHouseholds`, `analyticsHelpRecords`, …).
 */
export enum AnalyticsMeasure {
  UNITS_PAIRED = 'UNITS_PAIRED',
  VILLAGES_COVERED = 'VILLAGES_COVERED',
  COMMUNITIES_COVERED = 'COMMUNITIES_COVERED',
  CADRES_ENGAGED = 'CADRES_ENGAGED',
  HOUSEHOLDS_HELPED = 'HOUSEHOLDS_HELPED',
  HARDSHIP_HOUSEHOLDS_HELPED = 'HARDSHIP_HOUSEHOLDS_HELPED',
  KEY_FOCUS_HOUSEHOLDS_HELPED = 'KEY_FOCUS_HOUSEHOLDS_HELPED',
  PETITIONER_HOUSEHOLDS_HELPED = 'PETITIONER_HOUSEHOLDS_HELPED',
  KEY_FOCUS_PERSONS = 'KEY_FOCUS_PERSONS',
  PETITIONERS = 'PETITIONERS',
  PETITION_CASES = 'PETITION_CASES',
  MAJOR_PETITION_CASES = 'MAJOR_PETITION_CASES',
  OPEN_PETITION_CASES = 'OPEN_PETITION_CASES',
  RESOLVED_PETITION_CASES = 'RESOLVED_PETITION_CASES',
  DEMANDS_RAISED = 'DEMANDS_RAISED',
  DEMANDS_RESOLVED = 'DEMANDS_RESOLVED',
  DEMANDS_CONFIRMED = 'DEMANDS_CONFIRMED',
  DEMANDS_OVERDUE = 'DEMANDS_OVERDUE',
  /** Resolved, waiting for the household's answer (status RESOLVED). */
  DEMANDS_AWAITING_CONFIRMATION = 'DEMANDS_AWAITING_CONFIRMATION',
  /** Percent: DEMANDS_CONFIRMED / DEMANDS_RESOLVED; drills down to DEMANDS_RESOLVED's demands. */
  CONFIRMATION_RATE = 'CONFIRMATION_RATE',
  /** The household has answered at least once (a latest answer is recorded). */
  DEMANDS_ANSWERED = 'DEMANDS_ANSWERED',
  DEMANDS_SATISFIED = 'DEMANDS_SATISFIED',
  DEMANDS_BASICALLY_SATISFIED = 'DEMANDS_BASICALLY_SATISFIED',
  /** The household said 不满意 at least once (reopenCount > 0). */
  DEMANDS_REOPENED = 'DEMANDS_REOPENED',
  /** Percent: (DEMANDS_SATISFIED + DEMANDS_BASICALLY_SATISFIED) / DEMANDS_ANSWERED; drills down to DEMANDS_ANSWERED's demands. */
  SATISFACTION_RATE = 'SATISFACTION_RATE',
  VISITS = 'VISITS',
  FUNDS_FEN = 'FUNDS_FEN',
  MATERIALS_FEN = 'MATERIALS_FEN',
  FUNDS_AND_MATERIALS_FEN = 'FUNDS_AND_MATERIALS_FEN',
  PROBLEMS_SOLVED = 'PROBLEMS_SOLVED',
  /** Not in the overview: coverage gaps and cadre workload drill down through these. */
  UNASSIGNED_HOUSEHOLDS = 'UNASSIGNED_HOUSEHOLDS',
  CADRES_OVER_CAPACITY = 'CADRES_OVER_CAPACITY',
}

/** Which drill-down query lists the records behind a measure. */
export enum AnalyticsRecordType {
  UNIT = 'UNIT',
  REGION = 'REGION',
  CADRE = 'CADRE',
  HOUSEHOLD = 'HOUSEHOLD',
  RESIDENT = 'RESIDENT',
  PETITION_CASE = 'PETITION_CASE',
  DEMAND = 'DEMAND',
  HELP_RECORD = 'HELP_RECORD',
}

export enum BreakdownDimension {
  REGION_CHILDREN = 'REGION_CHILDREN',
  UNIT = 'UNIT',
  TARGET_GROUP = 'TARGET_GROUP',
  MONTH = 'MONTH',
  ROUND = 'ROUND',
}

export enum ReportKind {
  OVERVIEW = 'OVERVIEW',
  BREAKDOWN = 'BREAKDOWN',
  COVERAGE_GAPS = 'COVERAGE_GAPS',
}

registerEnumType(AnalyticsMeasure, {
  name: 'AnalyticsMeasure',
  description: 'A figure of the campaign reports; each drills down to its records (a rate: to the records of its denominator).',
  valuesConfig: {
    DEMANDS_AWAITING_CONFIRMATION: { description: "Demands resolved by a help record that wait for the household's confirmation (status RESOLVED)." },
    CONFIRMATION_RATE: {
      description:
        'Percent (0-100, two decimals): DEMANDS_CONFIRMED / DEMANDS_RESOLVED (RESOLVED + CONFIRMED). Null when no demand is resolved. Drills down to DEMANDS_RESOLVED.',
    },
    DEMANDS_ANSWERED: { description: 'Demands whose household has answered a resolution (the latest answer, `Demand.satisfaction`, is set).' },
    DEMANDS_SATISFIED: { description: "Demands whose household's latest answer is SATISFIED (满意)." },
    DEMANDS_BASICALLY_SATISFIED: { description: "Demands whose household's latest answer is BASICALLY_SATISFIED (基本满意)." },
    DEMANDS_REOPENED: { description: 'Demands the household answered DISSATISFIED (不满意) at least once, so that they went back to open (reopenCount > 0).' },
    SATISFACTION_RATE: {
      description:
        'Percent (0-100, two decimals): (DEMANDS_SATISFIED + DEMANDS_BASICALLY_SATISFIED) / DEMANDS_ANSWERED, by latest answer. Null when no demand is answered. Drills down to DEMANDS_ANSWERED.',
    },
  },
});
registerEnumType(AnalyticsRecordType, { name: 'AnalyticsRecordType', description: 'The kind of record a measure counts.' });
registerEnumType(BreakdownDimension, { name: 'BreakdownDimension' });
registerEnumType(ReportKind, { name: 'ReportKind' });

/** The same slice as an answer, to pass back to a drill-down query as it is. */
@ObjectType({ description: 'The slice a figure covers: pass these values to the drill-down queries.' })
export class AnalyticsSlice {
  @Field(() => ID)
  regionId!: string;

  @Field(() => ID, { nullable: true })
  roundId!: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  from!: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  to!: string | null;

  @Field(() => ID, { nullable: true })
  unitId!: string | null;

  @Field(() => TargetGroup, { nullable: true })
  targetGroup!: TargetGroup | null;
}

@ObjectType({ description: 'One figure with its Chinese label.' })
export class AnalyticsFigure {
  @Field(() => AnalyticsMeasure)
  measure!: AnalyticsMeasure;

  @Field(() => String, { description: 'Chinese label, as offices print it.' })
  label!: string;

  @Field(() => Float, {
    nullable: true,
    description:
      'Counts, amounts in fen, or rates in percent (0-100, two decimals; the label ends in （%）). Null where the measure does not apply to the group (petition cases have no unit), and for a rate whose denominator is 0.',
  })
  value!: number | null;

  @Field(() => AnalyticsRecordType, { description: 'Which analytics<RecordType>s query lists the records behind the figure.' })
  recordType!: AnalyticsRecordType;
}

@ObjectType({ description: "The campaign's figures for a slice, computed from the records at query time (on a read replica, as of freshness.asOf)." })
export class CampaignOverview {
  @Field(() => DataFreshness, { description: FRESHNESS_DESCRIPTION })
  freshness!: DataFreshness;

  @Field(() => AnalyticsSlice)
  slice!: AnalyticsSlice;

  @Field(() => [AnalyticsFigure])
  figures!: AnalyticsFigure[];
}

@ObjectType({ description: 'The figures of one group of a breakdown.' })
export class BreakdownGroup {
  @Field(() => String, { description: 'Stable key: a region code, unit id, target group, YYYY-MM or round id.' })
  key!: string;

  @Field(() => String)
  label!: string;

  @Field(() => AnalyticsSlice, { description: "The overview's slice narrowed to this group." })
  slice!: AnalyticsSlice;

  @Field(() => [AnalyticsFigure])
  figures!: AnalyticsFigure[];
}

@ObjectType()
export class CampaignBreakdown {
  @Field(() => DataFreshness, { description: FRESHNESS_DESCRIPTION })
  freshness!: DataFreshness;

  @Field(() => BreakdownDimension)
  dimension!: BreakdownDimension;

  @Field(() => AnalyticsSlice)
  slice!: AnalyticsSlice;

  @Field(() => [BreakdownGroup])
  groups!: BreakdownGroup[];
}

@ObjectType({ description: 'Active households of a village or community in a target group with no active assignment.' })
export class CoverageGap {
  @Field(() => Region)
  region!: Region;

  @Field(() => Int)
  households!: number;

  @Field(() => Int)
  hardship!: number;

  @Field(() => Int)
  keyFocus!: number;

  @Field(() => Int)
  petitioner!: number;
}

@ObjectType()
export class CoverageGaps {
  @Field(() => DataFreshness, { description: FRESHNESS_DESCRIPTION })
  freshness!: DataFreshness;

  @Field(() => Int, { description: 'Unassigned households in the whole region; analyticsHouseholds(measure: UNASSIGNED_HOUSEHOLDS) lists them.' })
  households!: number;

  @Field(() => [CoverageGap], { description: 'Villages and communities with at least one, most first.' })
  regions!: CoverageGap[];
}

@ObjectType({ description: 'A household whose next visit is past due.' })
export class OverdueVisit {
  @Field(() => ID)
  householdId!: number;

  @Field(() => String)
  headName!: string;

  @Field(() => String)
  regionName!: string;

  @Field(() => Cadre)
  cadre!: Cadre;

  @Field(() => Date, { nullable: true })
  lastVisitAt!: Date | null;

  @Field(() => Date)
  dueAt!: Date;

  @Field(() => Int)
  daysOverdue!: number;
}

@ObjectType()
export class OverdueVisitConnection {
  @Field(() => DataFreshness, { description: FRESHNESS_DESCRIPTION })
  freshness!: DataFreshness;

  @Field(() => [OverdueVisit])
  nodes!: OverdueVisit[];

  @Field(() => Int)
  totalCount!: number;

  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType({ description: 'How many cadres look after a given number of households.' })
export class WorkloadBucket {
  @Field(() => Int)
  households!: number;

  @Field(() => Int)
  cadres!: number;
}

@ObjectType()
export class CadreWorkload {
  @Field(() => DataFreshness, { description: FRESHNESS_DESCRIPTION })
  freshness!: DataFreshness;

  @Field(() => Int, { description: "Active cadres of units in the region's subtree." })
  cadres!: number;

  @Field(() => Int)
  activeAssignments!: number;

  @Field(() => Float)
  householdsPerCadre!: number;

  @Field(() => [WorkloadBucket])
  distribution!: WorkloadBucket[];

  @Field(() => Int, { description: 'Cadres with more active households than their capacity; analyticsCadres(measure: CADRES_OVER_CAPACITY) lists them.' })
  overCapacity!: number;
}

@ObjectType({ description: 'Open demands raised within an age band.' })
export class DemandAgeBand {
  @Field(() => String)
  label!: string;

  @Field(() => Int)
  minDays!: number;

  @Field(() => Int, { nullable: true })
  maxDays!: number | null;

  @Field(() => Int)
  open!: number;

  @Field(() => Int, { description: 'Of those, past their due date.' })
  overdue!: number;
}

@ObjectType()
export class DemandAging {
  @Field(() => DataFreshness, { description: FRESHNESS_DESCRIPTION })
  freshness!: DataFreshness;

  @Field(() => Int)
  open!: number;

  @Field(() => Int)
  overdue!: number;

  @Field(() => [DemandAgeBand])
  bands!: DemandAgeBand[];
}

@ObjectType({
  description:
    'Where to download a report: links a browser opens as they are (signed in to the IDE, or with the same Authorization header), for this caller only, until expiresAt.',
})
export class ReportExport {
  @Field(() => String, { description: 'The file name without its extension (.xlsx or .csv), e.g. 平山区-工作概况-2026-12-01: region, report, day.' })
  fileName!: string;

  @Field(() => String, {
    description: 'Absolute URL of the .xlsx (Excel) file, with a ticket bound to this caller, sign-in and report; useless to anyone else.',
  })
  xlsxUrl!: string;

  @Field(() => String, { description: 'Absolute URL of the .csv file (UTF-8 with BOM, so Excel reads the Chinese), with a ticket like xlsxUrl.' })
  csvUrl!: string;

  @Field(() => Date, { description: 'When the links stop working (10 minutes after the export): run exportReport again for new ones.' })
  expiresAt!: Date;
}

/** A drill-down's page: a connection (`nodes`, `pageInfo`, `totalCount`) that also says how old its data may be. */
export type AnalyticsConnection<T> = Connection<T> & { freshness: DataFreshness };

/**
 * The connection type of a drill-down (analyticsHouseholds, …): the feature lists' connections read the
 * primary and have no `freshness`; a drill-down reads where its figure was read (a replica, when one is fit).
 */
export function AnalyticsConnectionType<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(name, { description: `A page of the ${node.name} items an analytics figure counts, and how old the data may be.` })
  class AnalyticsConnectionClass implements AnalyticsConnection<T> {
    @Field(() => [node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Items matching the filter, across all pages.' })
    totalCount!: number;

    @Field(() => DataFreshness, { description: FRESHNESS_DESCRIPTION })
    freshness!: DataFreshness;
  }
  return AnalyticsConnectionClass;
}

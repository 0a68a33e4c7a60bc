import { TargetGroup } from '@wanjia/shared';
import { IsEnum, IsOptional, Matches } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, ID } from 'type-graphql';
import { BreakdownDimension, ReportKind } from './analytics.types';

/**
 * Which part of the campaign a figure covers. Everything is within the caller's region subtree.
 * Records that belong to a round (pairings, assignments, help records) match `roundId`; demands and
 * petition cases, which have no round, match when they fall within the round's dates. `from`/`to`
 * (Asia/Shanghai days, inclusive) select events in the window and pairings and assignments that
 * overlap it.
 */
@ArgsType()
export class AnalyticsSliceArgs {
  @Field(() => ID, { nullable: true, description: "A region in the caller's subtree (default: the caller's scope)." })
  regionId?: string;

  @Field(() => ID, { nullable: true })
  roundId?: string;

  @Field(() => LocalDateResolver, { nullable: true, description: 'First day (Asia/Shanghai), inclusive.' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  from?: string;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Last day (Asia/Shanghai), inclusive.' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  to?: string;

  @Field(() => ID, { nullable: true, description: "Only the work of this unit's cadres (pairings: the unit's own)." })
  unitId?: string;

  @Field(() => TargetGroup, { nullable: true, description: 'Only households of this target group.' })
  @IsOptional()
  @IsEnum(TargetGroup)
  targetGroup?: TargetGroup;
}

/** The region an operational list covers. */
@ArgsType()
export class RegionArgs {
  @Field(() => ID, { nullable: true, description: "A region in the caller's subtree (default: the caller's scope)." })
  regionId?: string;
}

/** Which report exportReport prepares; the slice comes beside it (AnalyticsSliceArgs). */
@ArgsType()
export class ExportArgs {
  @Field(() => ReportKind)
  @IsEnum(ReportKind)
  kind!: ReportKind;

  @Field(() => BreakdownDimension, { nullable: true, description: 'For BREAKDOWN reports.' })
  @IsOptional()
  @IsEnum(BreakdownDimension)
  dimension?: BreakdownDimension;
}

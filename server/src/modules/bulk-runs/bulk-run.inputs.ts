import { BulkRunState, TargetGroup } from '@wanjia/shared';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsEnum, IsOptional, Length, Validate, ValidateNested } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { PlainText } from '../../core/validation';
import { BulkRunItemOutcome, BulkRunKind, BulkRunSkipReason, RolloverCarry } from './bulk-run.enums';

/** How many households one reassignment may list or map, and how many cadres may receive them. */
export const MAX_LISTED_HOUSEHOLDS = 5_000;
export const MAX_RECEIVING_CADRES = 500;

@InputType({ description: 'A dry run of carrying one round into the next: what would be carried, what not, and why.' })
export class PlanRoundRolloverInput {
  @Field(() => ID, { description: 'The round carried from.' })
  fromRoundId!: string;

  @Field(() => ID, { description: 'The round carried into; it must start after the round carried from.' })
  toRoundId!: string;

  @Field(() => RolloverCarry)
  @IsEnum(RolloverCarry)
  carry!: RolloverCarry;

  @Field(() => ID, { nullable: true, description: "Only this region's subtree (in the caller's scope); default the caller's whole scope." })
  regionId?: string;

  @Field(() => ID, { nullable: true, description: "Only this unit's pairings and its cadres' assignments." })
  unitId?: string;

  @Field(() => TargetGroup, { nullable: true, description: 'Only assignments of households in this target group (pairings have none).' })
  @IsOptional()
  @IsEnum(TargetGroup)
  targetGroup?: TargetGroup;
}

@InputType({ description: 'One household and the cadre it goes to.' })
export class HouseholdMoveInput {
  @Field(() => ID)
  householdId!: string;

  @Field(() => ID)
  toCadreId!: string;
}

@InputType({
  description:
    "A dry run of moving households to other cadres. The households: all active ones of fromCadreId, or of fromUnitId's cadres, or householdIds, or those of moves. Where they go: spread over toCadreIds by free capacity, or as moves say.",
})
export class PlanBulkReassignmentInput {
  @Field(() => ID, { nullable: true })
  fromCadreId?: string;

  @Field(() => ID, { nullable: true })
  fromUnitId?: string;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LISTED_HOUSEHOLDS)
  @ArrayUnique()
  householdIds?: string[];

  @Field(() => [ID], { nullable: true, description: 'Receiving cadres; each household goes to the one with the most room left.' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RECEIVING_CADRES)
  @ArrayUnique()
  toCadreIds?: string[];

  @Field(() => [HouseholdMoveInput], { nullable: true, description: 'An explicit household → cadre map.' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LISTED_HOUSEHOLDS)
  @ValidateNested({ each: true })
  moves?: HouseholdMoveInput[];

  @Field(() => String, { description: 'Why: written as the end reason of every assignment moved (调整原因).' })
  @Length(2, 255)
  @Validate(PlainText)
  reason!: string;
}

@InputType()
export class BulkRunIdInput {
  @Field(() => ID)
  runId!: string;
}

@InputType()
export class BulkRunFilter {
  @Field(() => BulkRunKind, { nullable: true })
  @IsOptional()
  @IsEnum(BulkRunKind)
  kind?: BulkRunKind;

  @Field(() => BulkRunState, { nullable: true })
  @IsOptional()
  @IsEnum(BulkRunState)
  state?: BulkRunState;
}

export interface BulkRunItemFilter {
  outcome?: BulkRunItemOutcome;
  reason?: BulkRunSkipReason;
}

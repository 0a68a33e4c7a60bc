import { Gender, HardshipReason, ResidentRelation, TargetGroup } from '@wanjia/shared';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../core/pagination';
import { FieldReport } from './field-report.entity';

export const FieldReportConnection = ConnectionType(FieldReport, 'FieldReportConnection');

/**
 * What a report proposes (or what its approval applied), as stored: the fields the kind needs.
 * Region and member are kept with their names as the cadre saw them, so that the inbox reads
 * without a lookup per row and the cadre's list survives a later rename.
 */
export interface ProposalValues {
  phone?: string | null;
  name?: string | null;
  gender?: Gender | null;
  relation?: ResidentRelation | null;
  birthDate?: string | null;
  idNumber?: string | null;
  leftOn?: string | null;
  address?: string | null;
  regionId?: number | null;
  regionName?: string | null;
  headName?: string | null;
  targetGroups?: TargetGroup[] | null;
  hardshipReasons?: HardshipReason[] | null;
  residentId?: number | null;
  residentName?: string | null;
  note?: string | null;
}

@ObjectType({
  description:
    "A report's values for its kind. The phone and the ID number are masked (and the birth date shown as its year) for everyone but the reporting cadre, as on the household's file.",
})
export class FieldReportProposal {
  @Field(() => String, { nullable: true, description: 'Full for the reporting cadre, masked (138****5678) for administrators.' })
  phone!: string | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => Gender, { nullable: true })
  gender!: Gender | null;

  @Field(() => ResidentRelation, { nullable: true })
  relation!: ResidentRelation | null;

  @Field(() => Int, { nullable: true })
  birthYear!: number | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'The full birth date: the reporting cadre only (others see birthYear).' })
  birthDate!: string | null;

  @Field(() => String, { nullable: true, description: 'Full for the reporting cadre, its address code (210502************) for administrators.' })
  idNumber!: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  leftOn!: string | null;

  @Field(() => String, { nullable: true })
  address!: string | null;

  @Field(() => ID, { nullable: true })
  regionId!: number | null;

  @Field(() => String, { nullable: true })
  regionName!: string | null;

  @Field(() => String, { nullable: true })
  headName!: string | null;

  @Field(() => [TargetGroup], { nullable: true })
  targetGroups!: TargetGroup[] | null;

  @Field(() => [HardshipReason], { nullable: true })
  hardshipReasons!: HardshipReason[] | null;

  @Field(() => ID, { nullable: true, description: 'MEMBER_DIED, MEMBER_MOVED_OUT: the member.' })
  residentId!: number | null;

  @Field(() => String, { nullable: true })
  residentName!: string | null;

  @Field(() => String, { nullable: true, description: "The cadre's note." })
  note!: string | null;
}

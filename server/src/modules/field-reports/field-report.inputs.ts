import { FieldReportKind, FieldReportStatus, Gender, HardshipReason, ResidentRelation, TargetGroup } from '@wanjia/shared';
import { ArrayMinSize, ArrayUnique, IsEnum, IsInt, IsOptional, Length, Matches, Min, Validate, ValidateNested } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { IdNumber, PhoneNumber, PlainText } from '../../core/validation';

const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;
const CLIENT_ID_MESSAGE = 'clientId must be 8-64 letters, digits, dashes or underscores (a UUID)';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The values a report can carry, shared by the cadre's report (which extends it) and the administrator's edits. Which
 * of them a kind needs is the service's rule (it names the missing field): one flat shape keeps the
 * app's form and the approval's pre-filled edits the same fields.
 */
@InputType('FieldReportEditsInput', {
  description:
    "A report's values; as approveFieldReport's edits, the administrator's corrections, approved in the same call (a field left out keeps the cadre's value).",
})
export class FieldReportEditsInput {
  @Field(() => String, { nullable: true, description: 'PHONE_CHANGED, NEW_HOUSEHOLD: the new (or the household’s) phone.' })
  @IsOptional()
  @Validate(PhoneNumber)
  phone?: string | null;

  @Field(() => String, { nullable: true, description: 'MEMBER_BORN: the child’s name.' })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  name?: string | null;

  @Field(() => Gender, { nullable: true, description: 'MEMBER_BORN.' })
  @IsOptional()
  @IsEnum(Gender)
  gender?: Gender | null;

  @Field(() => ResidentRelation, { nullable: true, description: 'MEMBER_BORN: the relation to the head (default CHILD).' })
  @IsOptional()
  @IsEnum(ResidentRelation)
  relation?: ResidentRelation | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'MEMBER_BORN: the birth date.' })
  @IsOptional()
  @Matches(DAY)
  birthDate?: string | null;

  @Field(() => String, { nullable: true, description: 'MEMBER_BORN: the ID number, when one was issued (optional).' })
  @IsOptional()
  @Validate(IdNumber)
  idNumber?: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'MEMBER_DIED, MEMBER_MOVED_OUT: the day the member died or moved out.' })
  @IsOptional()
  @Matches(DAY)
  leftOn?: string | null;

  @Field(() => String, { nullable: true, description: 'HOUSEHOLD_MOVED, NEW_HOUSEHOLD: the address.' })
  @IsOptional()
  @Length(2, 255)
  @Validate(PlainText)
  address?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'HOUSEHOLD_MOVED: the new village or community, if it changed (same district); NEW_HOUSEHOLD: the village or community.',
  })
  @IsOptional()
  regionId?: string | null;

  @Field(() => String, { nullable: true, description: 'NEW_HOUSEHOLD: the head of household.' })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  headName?: string | null;

  @Field(() => [TargetGroup], { nullable: true, description: 'NEW_HOUSEHOLD: why it should be screened in (at least one).' })
  @IsOptional()
  @ArrayMinSize(1, { message: 'targetGroups must name at least one target group' })
  @ArrayUnique()
  @IsEnum(TargetGroup, { each: true })
  targetGroups?: TargetGroup[] | null;

  @Field(() => [HardshipReason], { nullable: true, description: 'NEW_HOUSEHOLD: the hardship reasons, if any.' })
  @IsOptional()
  @ArrayUnique()
  @IsEnum(HardshipReason, { each: true })
  hardshipReasons?: HardshipReason[] | null;
}

@InputType({ description: 'What a cadre found on a visit (现场变更报告); the fields the kind needs, the others left out.' })
export class ReportFieldChangeInput extends FieldReportEditsInput {
  @Field(() => String, { description: 'Made by the app once per report (a UUID); a resend with the same clientId and content answers the same report.' })
  @Matches(CLIENT_ID, { message: CLIENT_ID_MESSAGE })
  clientId!: string;

  @Field(() => FieldReportKind)
  @IsEnum(FieldReportKind)
  kind!: FieldReportKind;

  @Field(() => ID, { nullable: true, description: 'The household, one the caller looks after (an active assignment); none for NEW_HOUSEHOLD.' })
  householdId?: string | null;

  @Field(() => ID, { nullable: true, description: 'MEMBER_DIED, MEMBER_MOVED_OUT: the member (a resident of the household).' })
  residentId?: string | null;

  @Field(() => ID, { nullable: true, description: "The visit's help record, one of the caller's own for this household (optional)." })
  helpRecordId?: string | null;

  @Field(() => String, { nullable: true, description: 'Anything the administrator should know, up to 500 characters.' })
  @IsOptional()
  @Length(0, 500)
  @Validate(PlainText)
  note?: string | null;
}

@InputType()
export class ApproveFieldReportInput {
  @Field(() => ID)
  reportId!: string;

  @Field(() => Int, {
    nullable: true,
    description: "The household's version you read (required except for NEW_HOUSEHOLD); a stale one is refused with CONFLICT.",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number | null;

  @Field(() => FieldReportEditsInput, { nullable: true, description: 'Edit and approve in one call: only the values you change.' })
  @IsOptional()
  @ValidateNested()
  edits?: FieldReportEditsInput | null;

  @Field(() => String, { nullable: true, description: 'A note for the cadre, up to 500 characters.' })
  @IsOptional()
  @Length(0, 500)
  @Validate(PlainText)
  note?: string | null;
}

@InputType()
export class RejectFieldReportInput {
  @Field(() => ID)
  reportId!: string;

  @Field(() => String, { description: 'Why, for the cadre: 2 to 500 characters.' })
  @Length(2, 500, { message: 'reason must say why, in 2 to 500 characters' })
  @Validate(PlainText)
  reason!: string;
}

@InputType()
export class WithdrawFieldReportInput {
  @Field(() => ID)
  reportId!: string;
}

@InputType()
export class FieldReportFilter {
  @Field(() => FieldReportStatus, { nullable: true })
  @IsOptional()
  @IsEnum(FieldReportStatus)
  status?: FieldReportStatus;

  @Field(() => FieldReportKind, { nullable: true })
  @IsOptional()
  @IsEnum(FieldReportKind)
  kind?: FieldReportKind;

  @Field(() => ID, { nullable: true, description: "Reports of this region's subtree (within the caller's)." })
  regionId?: string;
}

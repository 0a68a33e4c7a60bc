import { DemandCategory, HelpKind, MAX_RECORD_FEN } from '@wanjia/shared';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsDate,
  IsEnum,
  IsInt,
  IsLatitude,
  IsLongitude,
  IsOptional,
  Length,
  Validate,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { PlainText } from '../../core/validation';

@InputType({ description: 'A demand heard on this occasion; it becomes an open demand of the household.' })
export class DemandInput {
  @Field(() => DemandCategory)
  @IsEnum(DemandCategory)
  category!: DemandCategory;

  @Field(() => String)
  @Length(2, 1000)
  @Validate(PlainText)
  text!: string;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: "Defaults to the visit's day (Asia/Shanghai) + the category's demandDays (demandDeadlines); given, from the visit's day to 180 days after it.",
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  dueOn?: string | null;
}

/** What a cadre records about one occasion. Shared by submit and correct. */
@InputType()
export class HelpRecordContentInput {
  @Field(() => String, { description: 'Made by the client once per record (a UUID); retries send the same one.' })
  @Matches(/^[A-Za-z0-9_-]{8,64}$/, { message: 'clientId must be 8-64 letters, digits, dashes or underscores (a UUID)' })
  clientId!: string;

  @Field(() => Date)
  @IsDate()
  occurredAt!: Date;

  @Field(() => [HelpKind])
  @ArrayMinSize(1, { message: 'kinds must name at least one kind of help' })
  @ArrayUnique()
  @IsEnum(HelpKind, { each: true })
  kinds!: HelpKind[];

  @Field(() => String, { description: 'What was heard and done, up to 1000 characters.' })
  @Length(1, 1000)
  @Validate(PlainText)
  summary!: string;

  @Field(() => Int, { defaultValue: 0, description: 'Funds handed over, in fen.' })
  @IsInt()
  @Min(0)
  @Max(MAX_RECORD_FEN)
  fundsFen!: number;

  @Field(() => Int, { defaultValue: 0, description: 'Value of materials handed over, in fen.' })
  @IsInt()
  @Min(0)
  @Max(MAX_RECORD_FEN)
  materialsFen!: number;

  @Field(() => Int, { defaultValue: 0 })
  @IsInt()
  @Min(0)
  @Max(100)
  problemsSolved!: number;

  @Field(() => [String], { defaultValue: [], description: 'Ids returned by the photo upload endpoint.' })
  @ArrayMaxSize(9)
  @ArrayUnique()
  @Matches(/^[0-9a-f]{64}$/, { each: true, message: 'photoIds must be ids returned by the photo upload' })
  photoIds!: string[];

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsLatitude()
  latitude?: number | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsLongitude()
  longitude?: number | null;
}

@InputType()
export class HelpRecordInput extends HelpRecordContentInput {
  @Field(() => ID)
  householdId!: string;

  @Field(() => [DemandInput], { defaultValue: [] })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  demandsRaised!: DemandInput[];

  @Field(() => [ID], { defaultValue: [], description: 'Open demands of this household that this occasion resolved.' })
  @ArrayMaxSize(50)
  @ArrayUnique()
  resolvedDemandIds!: string[];
}

/**
 * A correction (更正): the whole record as it should now read, every field but clientId optional and
 * none with a default. Omitted means unchanged; a default would silently overwrite what the cadre
 * recorded (the old input's fundsFen = 0 did). The service tells omitted from given (and given null).
 */
@InputType({ description: 'A correction (更正) of a help record: the record as it should now read; an omitted field stays as it was.' })
export class HelpRecordCorrectionInput {
  @Field(() => String, { description: "A new client id for this correction (not the record's); a resend with it never makes two versions." })
  @Matches(/^[A-Za-z0-9_-]{8,64}$/, { message: 'clientId must be 8-64 letters, digits, dashes or underscores (a UUID)' })
  clientId!: string;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @IsDate()
  occurredAt?: Date | null;

  @Field(() => [HelpKind], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1, { message: 'kinds must name at least one kind of help' })
  @ArrayUnique()
  @IsEnum(HelpKind, { each: true })
  kinds?: HelpKind[] | null;

  @Field(() => String, { nullable: true, description: 'What was heard and done, up to 1000 characters.' })
  @IsOptional()
  @Length(1, 1000)
  @Validate(PlainText)
  summary?: string | null;

  @Field(() => Int, { nullable: true, description: 'Funds handed over, in fen.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_RECORD_FEN)
  fundsFen?: number | null;

  @Field(() => Int, { nullable: true, description: 'Value of materials handed over, in fen.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_RECORD_FEN)
  materialsFen?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  problemsSolved?: number | null;

  @Field(() => [String], { nullable: true, description: "Omitted: the photos stay. Given: the record's photos from now on ([] removes them all)." })
  @IsOptional()
  @ArrayMaxSize(9)
  @ArrayUnique()
  @Matches(/^[0-9a-f]{64}$/, { each: true, message: 'photoIds must be ids returned by the photo upload' })
  photoIds?: string[] | null;

  @Field(() => Float, { nullable: true, description: 'Omitted: unchanged. null clears the location (both together).' })
  @IsOptional()
  @IsLatitude()
  latitude?: number | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsLongitude()
  longitude?: number | null;

  @Field(() => [ID], {
    nullable: true,
    description:
      'Omitted: the same demands stay resolved. Given: the whole set this occasion resolved. A demand left out goes back to open (only while it still awaits confirmation); a new one must be open.',
  })
  @IsOptional()
  @ArrayMaxSize(50)
  @ArrayUnique()
  resolvedDemandIds?: string[] | null;

  @Field(() => [DemandInput], { nullable: true, description: 'Demands heard on the occasion that the earlier version missed; those already raised stay.' })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  demandsRaised?: DemandInput[] | null;
}

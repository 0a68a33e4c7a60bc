import { RecordList, TargetGroup } from '@wanjia/shared';
import { IsEnum, IsOptional } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { ReportFormat } from './record-list.types';

/**
 * Which record list to export, in which format, and its filters. Each list names the filters it takes
 * (docs/record-lists.md): one it needs and is missing, or one it does not take, is refused naming the field.
 */
@InputType({ description: 'A record list to export: the list, the format and its filters (each list says which it needs and which it takes).' })
export class ExportRecordListInput {
  @Field(() => RecordList)
  @IsEnum(RecordList)
  list!: RecordList;

  @Field(() => ReportFormat)
  @IsEnum(ReportFormat)
  format!: ReportFormat;

  @Field(() => ID, { nullable: true, description: "A region in the caller's subtree (default: the caller's scope). Every list but IMPORT_PROBLEMS." })
  regionId?: string;

  @Field(() => ID, { nullable: true, description: 'Only assignments of this round: OVERDUE_VISITS, CADRE_CASELOAD, UNIT_CASELOAD.' })
  roundId?: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'UNIT_CASELOAD (required): the unit. OVERDUE_VISITS: households whose cadre is of this unit. OPEN_DEMANDS, OVERDUE_DEMANDS: demands referred to it now.',
  })
  unitId?: string;

  @Field(() => ID, { nullable: true, description: 'CADRE_CASELOAD (required): the cadre.' })
  cadreId?: string;

  @Field(() => ID, { nullable: true, description: 'IMPORT_PROBLEMS (required): the import.' })
  importId?: string;

  @Field(() => TargetGroup, { nullable: true, description: 'Only households of this target group: every list of households or demands.' })
  @IsOptional()
  @IsEnum(TargetGroup)
  targetGroup?: TargetGroup;
}

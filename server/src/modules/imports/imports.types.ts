import { ImportKind } from '@wanjia/shared';
import { Field, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../core/pagination';
import { DataImport, DataImportProblem } from './data-import.entity';

@ObjectType({ description: "An import's rows by what the dry run and the commit made of them." })
export class DataImportCounts {
  @Field(() => Int, { description: 'Data rows in the file.' })
  rows!: number;

  @Field(() => Int, { description: 'Rows without problems, ready to be written.' })
  ready!: number;

  @Field(() => Int, { description: 'Rows with warnings (likely duplicates…): written only once accepted.' })
  warnings!: number;

  @Field(() => Int, { description: 'Rows whose warnings were accepted.' })
  accepted!: number;

  @Field(() => Int, { description: 'Rows with errors (not written), and rows the commit refused.' })
  refused!: number;

  @Field(() => Int)
  created!: number;

  @Field(() => Int)
  updated!: number;

  @Field(() => Int, { description: 'Rows an earlier import already wrote, or that changed nothing.' })
  unchanged!: number;
}

export const DataImportConnection = ConnectionType(DataImport, 'DataImportConnection');
export const DataImportProblemConnection = ConnectionType(DataImportProblem, 'DataImportProblemConnection');

@ObjectType({ description: "A column of an import kind's template." })
export class ImportTemplateColumn {
  @Field({ description: 'The stable key the server reads the column by.' })
  key!: string;

  @Field({ description: 'The Chinese header the template writes.' })
  header!: string;

  @Field(() => [String], { description: 'Other headers recognised for the column.' })
  aliases!: string[];

  @Field(() => Boolean)
  required!: boolean;

  @Field()
  example!: string;

  @Field(() => [String], { description: 'The values the column accepts (the drop-down list); empty for free text.' })
  choices!: string[];

  @Field(() => String, { nullable: true })
  hint!: string | null;
}

@ObjectType({ description: 'An import kind and its template (download it at xlsxPath).' })
export class ImportTemplate {
  @Field(() => ImportKind)
  kind!: ImportKind;

  @Field()
  title!: string;

  @Field(() => Boolean, { description: 'Whether mode UPDATE_EXISTING updates records for this kind.' })
  supportsUpdate!: boolean;

  @Field(() => [ImportTemplateColumn])
  columns!: ImportTemplateColumn[];

  @Field({ description: 'GET this path (beside /graphql) for the .xlsx template.' })
  xlsxPath!: string;
}

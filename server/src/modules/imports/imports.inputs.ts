import { ImportKind, ImportState } from '@wanjia/shared';
import { ArrayMaxSize, IsInt, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'Narrows the list of imports.' })
export class DataImportFilter {
  @Field(() => ImportKind, { nullable: true })
  kind?: ImportKind | null;

  @Field(() => ImportState, { nullable: true })
  state?: ImportState | null;
}

@InputType({ description: "Accepts a checked import's warnings: of the listed rows, or all of them. Errors cannot be accepted." })
export class AcceptImportWarningsInput {
  @Field(() => ID)
  importId!: string;

  @Field(() => [Int], { nullable: true, description: 'Row numbers as the problems give them; at most 1000.' })
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @Min(1, { each: true })
  rowNumbers?: number[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Every warning of the import.' })
  all?: boolean | null;
}

@InputType({ description: 'Writes a checked import: the rows that passed and the accepted ones.' })
export class CommitImportInput {
  @Field(() => ID)
  importId!: string;
}

@InputType({ description: 'Cancels an import that is not being written.' })
export class CancelImportInput {
  @Field(() => ID)
  importId!: string;
}

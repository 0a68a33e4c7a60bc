import { Field, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../core/pagination';
import { BulkRunItem } from './bulk-run-item.entity';
import { BulkRun } from './bulk-run.entity';
import { BulkRunSkipReason } from './bulk-run.enums';

export const BulkRunConnection = ConnectionType(BulkRun, 'BulkRunConnection');
export const BulkRunItemConnection = ConnectionType(BulkRunItem, 'BulkRunItemConnection');

@ObjectType({ description: "A run's items by where they stand; done + skippedAtRun of planned is its progress." })
export class BulkRunCounts {
  @Field(() => Int, { description: 'Every candidate the plan found.' })
  total!: number;

  @Field(() => Int, { description: 'Candidates the plan would carry or move.' })
  planned!: number;

  @Field(() => Int, { description: 'Candidates the plan skipped (with their reasons).' })
  skippedByPlan!: number;

  @Field(() => Int, { description: 'Written by the run.' })
  done!: number;

  @Field(() => Int, { description: 'Planned, but skipped by the run: re-checked, they no longer qualified.' })
  skippedAtRun!: number;

  @Field(() => Int, { description: 'Planned and not yet reached by the run.' })
  pending!: number;
}

@ObjectType({ description: 'How many items were skipped for one reason.' })
export class BulkRunReasonCount {
  @Field(() => BulkRunSkipReason)
  reason!: BulkRunSkipReason;

  @Field({ description: 'The reason in Chinese, for the office.' })
  label!: string;

  @Field(() => Boolean, { description: 'Skipped by the run (re-checked at run time) rather than by the plan.' })
  atRun!: boolean;

  @Field(() => Int)
  count!: number;
}

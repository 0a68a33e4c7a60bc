import type { ClassType } from 'type-graphql';
import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { Max, Min } from 'class-validator';
import { BadUserInputError } from './errors';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Connection<T> {
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** A connection type for a node type: `nodes`, `pageInfo` and `totalCount`. */
export function ConnectionType<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(name, { description: `A page of ${node.name} items.` })
  class ConnectionClass implements Connection<T> {
    @Field(() => [node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Items matching the filter, across all pages.' })
    totalCount!: number;
  }
  return ConnectionClass;
}

/** Cursors are opaque to clients; inside they carry the sort key values of the last row. */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // Every list sorts by integer keys (ids, epoch milliseconds). A string or 1e400 (Infinity after
    // JSON.parse) in a forged cursor reached SQL as NaN and answered INTERNAL_SERVER_ERROR.
    const isSortKey = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value);
    if (Array.isArray(values) && values.length === arity && values.every(isSortKey)) {
      return values as (string | number)[];
    }
  } catch {
    // fall through
  }
  throw new BadUserInputError('after', 'after is not a cursor this list returned');
}

export function pageSize(args: PageArgs): number {
  return args.first ?? DEFAULT_PAGE_SIZE;
}

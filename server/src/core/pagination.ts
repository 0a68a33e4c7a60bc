import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { Max, Min } from 'class-validator';
import type { EntityName, FilterQuery, FindOptions } from '@mikro-orm/core';
import type { Em } from './entity-manager';
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

/**
 * Keyset pagination on the primary key: `id > cursor` (or `<` newest first) with `limit n + 1`, so a
 * page costs one indexed range read however deep it is, plus one count of the filtered total.
 */
export async function paginateById<T extends { id: number }, P extends string = never>(
  em: Em,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  args: PageArgs,
  options: { direction?: 'asc' | 'desc'; populate?: FindOptions<T, P>['populate'] } = {},
): Promise<Connection<T>> {
  const direction = options.direction ?? 'asc';
  const size = pageSize(args);
  let pageWhere = where;
  if (args.after) {
    const [afterId] = decodeCursor(args.after, 1);
    const bound = direction === 'asc' ? { $gt: Number(afterId) } : { $lt: Number(afterId) };
    pageWhere = { $and: [where, { id: bound }] } as FilterQuery<T>;
  }
  const rows = await em.find(entity, pageWhere, {
    orderBy: { id: direction } as FindOptions<T, P>['orderBy'],
    limit: size + 1,
    populate: options.populate,
  } as FindOptions<T, P>);
  const totalCount = await em.count(entity, where);
  const nodes = rows.slice(0, size) as T[];
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    totalCount,
    pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor([last.id]) : null },
  };
}

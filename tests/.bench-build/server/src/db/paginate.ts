import type { EntityName, FilterQuery, FindOptions } from '@mikro-orm/core';
import { decodeCursor, encodeCursor, pageSize, type Connection, type PageArgs } from '../graphql/pagination';
import type { Em } from './orm';

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

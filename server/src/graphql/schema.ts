import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import './enums';
import { RegionResolver } from '../modules/regions/region.resolver';
import { RoundResolver } from '../modules/rounds/round.resolver';

export const RESOLVERS = [RegionResolver, RoundResolver] as const;

export async function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    validate: { forbidUnknownValues: false },
  });
}

/** The SDL as committed in shared/schema.graphql: sorted, so that diffs show real changes only. */
export function printApiSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

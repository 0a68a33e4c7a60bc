import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import './enum-registrations';
import { validateArgument } from './argument-validation';
import { authChecker } from './auth-checker';
import { guardObjectScope } from './object-scope.guard';
import { RESOLVERS } from './resolvers';

export async function buildApiSchema(): Promise<GraphQLSchema> {
  // Every object of a household-file type is checked for the caller however it is reached (object-scope.guard.ts).
  return guardObjectScope(
    await buildSchema({
      resolvers: RESOLVERS,
      authChecker,
      validateFn: validateArgument,
    }),
  );
}

/** The SDL as committed in shared/schema.graphql: sorted, so that diffs show real changes only. */
export function printApiSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

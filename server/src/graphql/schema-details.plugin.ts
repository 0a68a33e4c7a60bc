import type { ApolloServerPlugin } from '@apollo/server';
import { Role } from '@wanjia/shared';
import type { GraphQLContext } from './context';

/**
 * graphql-js's "Did you mean …?" suggestions: one in a validation error (an unknown field, argument,
 * type or enum value written in the document) or in a variable's coercion error (an unknown input
 * field or enum value sent in the variables). Each names fields, arguments, types or values the
 * caller did not write.
 */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

/**
 * Suggestions describe the schema piece by piece: with a few hundred guesses an anonymous caller or a
 * cadre would map it, introspection or not. Only the staff (administrators and analysts) keep them,
 * and only where introspection is on, i.e. where they could read the same schema in the IDE anyway;
 * for everybody else every error is stripped of them, whatever stage raised it.
 *
 * Apollo's `hideSchemaDetailsFromClientErrors` does the same for everybody and only for validation
 * errors: it would take the suggestions from the staff's IDE and leave them in variable errors.
 */
export function schemaDetailsPlugin(options: { introspection: boolean }): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          const role = contextValue.actor?.role;
          if (options.introspection && (role === Role.ADMIN || role === Role.ANALYST)) return;
          for (const error of errors) {
            // Apollo formats the response from these same objects after this hook.
            const stripped = withoutSuggestions(error.message);
            if (stripped !== error.message) (error as { message: string }).message = stripped;
          }
        },
      };
    },
  };
}

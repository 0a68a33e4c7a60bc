import { Role } from '@wanjia/shared';
import { BREAK, visit, type DocumentNode } from 'graphql';
import { DomainError, ErrorCode, PasswordChangeRequiredError, tokenProblemMessage } from '../../core/errors';
import type { GraphQLContext } from '../context';

/**
 * The two ways into the schema's description. `__typename` is not one: it names the type of an object
 * the caller was already allowed to read.
 */
const INTROSPECTION_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type']);

/** The roles who work in the IDE and may read the whole schema (where introspection is on at all). */
const SCHEMA_READERS: ReadonlySet<Role> = new Set([Role.ADMIN, Role.ANALYST]);

export const SIGN_IN_TO_READ_THE_SCHEMA = 'Sign in as an administrator or analyst to read the schema';
export const ONLY_STAFF_READ_THE_SCHEMA = 'Only administrators and analysts may read the schema';

/** Apollo keeps one parsed document per query text, so each is walked once. */
const askedFor = new WeakMap<DocumentNode, boolean>();

/**
 * Whether the document asks for `__schema` or `__type` anywhere: in any operation or fragment, under any
 * alias (an alias renames the answer, not the field). Every operation counts, not only the one named,
 * as Apollo validates and would answer the whole document's fields with the same schema.
 */
export function asksForIntrospection(document: DocumentNode): boolean {
  const known = askedFor.get(document);
  if (known !== undefined) return known;
  let found = false;
  visit(document, {
    Field(node) {
      if (!INTROSPECTION_FIELDS.has(node.name.value)) return undefined;
      found = true;
      return BREAK;
    },
  });
  askedFor.set(document, found);
  return found;
}

/**
 * Why this caller may not introspect, or null for an administrator or analyst (signed in with an access
 * token or the IDE session: both set `actor`). A one-time password's holder is not an actor. The errors
 * carry their HTTP status: Apollo answers an error thrown before execution with 500 otherwise. Nothing
 * in them describes the schema.
 */
export function introspectionRefusal(context: Pick<GraphQLContext, 'actor' | 'passwordChangeActor' | 'tokenProblem'>): DomainError | null {
  if (context.actor) {
    if (SCHEMA_READERS.has(context.actor.role)) return null;
    return new DomainError(ErrorCode.FORBIDDEN, ONLY_STAFF_READ_THE_SCHEMA, { graphqlHttpStatus: 403 });
  }
  const problem = context.tokenProblem;
  if (context.passwordChangeActor || problem === 'password-change-required') {
    return new DomainError(ErrorCode.PASSWORD_CHANGE_REQUIRED, new PasswordChangeRequiredError().message, { graphqlHttpStatus: 403 });
  }
  // A token that was presented but does not sign in says why (expired: the IDE renews and asks again).
  const message = problem ? tokenProblemMessage(problem) : SIGN_IN_TO_READ_THE_SCHEMA;
  return new DomainError(ErrorCode.UNAUTHENTICATED, message, { graphqlHttpStatus: 401 });
}

import { createHash } from 'node:crypto';
import { parse as parseUrl } from 'node:url';
import type { Request } from 'express';
import { Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { AppConfig } from '../../config';
import type { GraphQLContext } from '../context';
import { OperationNotSafelistedError } from '../../core/errors';
import { asksForIntrospection, introspectionRefusal } from './introspection-access';
import type { Safelist } from './safelist';

/** Sign-in mutations the playground sends before an administrator has a token (not in the mini-program). */
const ANONYMOUS_FREE_MUTATIONS: ReadonlySet<string> = new Set(['login', 'refreshToken', 'logout']);

export type SafelistGateOptions = {
  config: Pick<AppConfig, 'safelistMode' | 'introspection' | 'queryLimits'>;
  safelist: Safelist;
};

/**
 * The production safelist for cadres and anonymous callers, checked before the document is parsed or
 * validated: a refused caller learns nothing about the schema from validation errors ("Cannot query
 * field … Did you mean …"). Apollo runs no hook before validation that can answer with an error of ours
 * (a throw in didResolveSource ends as a 500), so this runs where the context is made: the caller is
 * known there, and the document's hash is the sha256 of its text, as Apollo computes it.
 *
 * Hash-only requests go on to Apollo, whose persisted-query store answers from the safelist alone.
 */
export function createSafelistGate({ config, safelist }: SafelistGateOptions) {
  return (context: GraphQLContext, request: Request): void => {
    if (config.safelistMode !== 'enforce') return;
    // A staff member signed in with a one-time password holds a password-change token, not an access
    // token: still staff, who write free queries (the IDE is where they change it).
    const role = context.actor?.role ?? context.passwordChangeActor?.role ?? 'ANONYMOUS';
    if (role !== 'CADRE' && role !== 'ANONYMOUS') return;
    const sent = sentOperation(request);
    if (sent === 'unreadable') {
      context.logger.warn({ role, clientAddress: context.clientAddress, limit: 'safelist' }, 'operation refused: a GraphQL parameter given twice');
      throw new OperationNotSafelistedError();
    }
    const { query, operationName, persistedQuery } = sent;
    if (query === null) return;
    const queryHash = createHash('sha256').update(query).digest('hex');
    if (safelist.has(queryHash)) return;
    // A persisted-query extension of another version or with another text's hash: Apollo refuses it
    // (BAD_REQUEST) before parsing, which tells no more than this would.
    if (persistedQuery && (persistedQuery.version !== 1 || persistedQuery.sha256Hash !== queryHash)) return;
    const document = parseQuietly(query, config.queryLimits[role].tokens);
    if (role === 'ANONYMOUS' && document && isAnonymousFreeDocument(document, config.introspection)) return;
    // Introspection is for administrators and analysts: where it is on, say so rather than "not
    // safelisted", which would send someone who opened the IDE looking for a persisted hash.
    if (config.introspection && document && asksForIntrospection(document)) {
      const refusal = introspectionRefusal(context);
      if (refusal) {
        context.logger.warn(
          { role, accountId: context.actor?.accountId ?? null, clientAddress: context.clientAddress, limit: 'introspection' },
          'operation refused: introspection is for administrators and analysts',
        );
        throw refusal;
      }
    }
    context.logger.warn(
      {
        role,
        accountId: context.actor?.accountId ?? null,
        operationName: operationName ?? (document ? soleOperationName(document) : null),
        clientAddress: context.clientAddress,
        limit: 'safelist',
        queryHash,
      },
      'operation refused: not safelisted',
    );
    throw new OperationNotSafelistedError();
  };
}

interface SentOperation {
  query: string | null;
  operationName: string | null;
  persistedQuery: { version: unknown; sha256Hash: unknown } | null;
}

/**
 * The document text, operation name and persisted-query extension exactly as Apollo reads them: from
 * the JSON body of a POST, and for a GET with URLSearchParams over the request URL's search (what
 * @as-integrations/express5 hands Apollo), never Express's `request.query`. That one is parsed by
 * `qs`, which stops at 1,000 parameters and makes arrays of repeated ones: with a thousand padding
 * parameters before `query=…` the gate saw no document while Apollo ran it. A parameter Apollo
 * refuses (given twice) is `unreadable`: refused here, before Apollo says anything about it.
 */
function sentOperation(request: Request): SentOperation | 'unreadable' {
  if (request.method === 'GET') {
    const search = new URLSearchParams(parseUrl(request.url).search ?? '');
    const once = (name: string): string | null | 'twice' => {
      const values = search.getAll(name);
      return values.length > 1 ? 'twice' : (values[0] ?? null);
    };
    const [query, operationName, extensions] = [once('query'), once('operationName'), once('extensions')];
    if (query === 'twice' || operationName === 'twice' || extensions === 'twice') return 'unreadable';
    return { query, operationName, persistedQuery: persistedQueryOf(extensions) };
  }
  const source: unknown = request.body;
  if (!source || typeof source !== 'object' || Array.isArray(source)) return { query: null, operationName: null, persistedQuery: null };
  const { query, operationName, extensions } = source as { query?: unknown; operationName?: unknown; extensions?: unknown };
  return {
    query: typeof query === 'string' ? query : null,
    operationName: typeof operationName === 'string' ? operationName : null,
    persistedQuery: persistedQueryOf(extensions),
  };
}

/** The persisted-query extension of a body's extensions object, or of a GET's JSON text. */
function persistedQueryOf(extensions: unknown): SentOperation['persistedQuery'] {
  let parsed: unknown = extensions;
  if (typeof extensions === 'string') {
    try {
      parsed = JSON.parse(extensions) as unknown;
    } catch {
      parsed = null;
    }
  }
  const persisted = parsed && typeof parsed === 'object' ? (parsed as { persistedQuery?: unknown }).persistedQuery : undefined;
  return persisted && typeof persisted === 'object' ? (persisted as SentOperation['persistedQuery']) : null;
}

/**
 * What an anonymous caller may send outside the safelist: the staff's password sign-in (the playground's
 * first tab) and, where introspection is on, a query of `__typename` alone. Not `__schema` or `__type`:
 * the schema is for administrators and analysts (introspection-access.ts). Every operation of the
 * document must be one of them, since Apollo validates the whole document whichever operation is named.
 */
function isAnonymousFreeDocument(document: DocumentNode, introspection: boolean): boolean {
  const operations = operationsOf(document);
  return operations.length > 0 && operations.every((operation) => isAnonymousFreeOperation(operation, introspection));
}

/** Parsing alone says nothing about the schema; a document that does not parse is refused all the same. */
function parseQuietly(query: string, maxTokens: number): DocumentNode | null {
  try {
    return parse(query, { maxTokens, noLocation: true });
  } catch {
    return null;
  }
}

function operationsOf(document: DocumentNode): OperationDefinitionNode[] {
  return document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
}

function soleOperationName(document: DocumentNode): string | null {
  const operations = operationsOf(document);
  return operations.length === 1 ? (operations[0]!.name?.value ?? null) : null;
}

export function isAnonymousFreeOperation(operation: OperationDefinitionNode, introspection: boolean): boolean {
  const roots = operation.selectionSet.selections;
  if (!roots.every((selection) => selection.kind === Kind.FIELD)) return false;
  const names = roots.map((selection) => (selection.kind === Kind.FIELD ? selection.name.value : ''));
  if (operation.operation === 'mutation') return names.every((name) => ANONYMOUS_FREE_MUTATIONS.has(name));
  if (operation.operation === 'query') return introspection && names.every((name) => name === '__typename');
  return false;
}

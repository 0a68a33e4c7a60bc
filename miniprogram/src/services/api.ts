import Taro from '@tarojs/taro';
import type { TypedDocumentString } from '@/graphql/generated/graphql';
import { RefreshTokenDocument, type RefreshTokenMutation } from '@/graphql/generated/graphql';
import { apiBase } from './config';
import { answerFailure, ApiError, requestFailure, SignedOutError, type ApiProblem } from './errors';
import { clearSession, getSession, saveSession } from './session';

/** How long a request may take unless its caller says otherwise (a large answer on a weak signal needs more). */
const TIMEOUT_MS = 20_000;

interface GraphQLBody<T> {
  data?: T | null;
  errors?: ApiProblem[];
}

/**
 * What goes over the wire for one operation. The mini-program's documents are safelisted on the server
 * (shared/persisted-operations.json) and normally travel as their sha256 only, which saves bytes on a
 * weak signal; the text goes along only when the server does not know the hash (a development server
 * on an older safelist).
 */
interface Operation {
  text: string;
  /** The document's sha256, as codegen embedded it; absent for a document that is not persisted. */
  hash: string | undefined;
  operationName: string | undefined;
}

function operationOf<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>): Operation {
  const text = document.toString();
  const hash = document.__meta__?.hash;
  return {
    text,
    hash: typeof hash === 'string' ? hash : undefined,
    operationName: /\b(?:query|mutation)\s+(\w+)/.exec(text)?.[1],
  };
}

/** One POST to /graphql. Throws NetworkError when no GraphQL answer came back, ApiError for a GraphQL error. */
async function postOnce<T>(operation: Operation, variables: unknown, accessToken: string | null, sendText: boolean, timeoutMs: number): Promise<T> {
  const data =
    sendText || !operation.hash
      ? { query: operation.text, operationName: operation.operationName, variables }
      : { operationName: operation.operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash: operation.hash } } };
  const base = apiBase();
  let response: Taro.request.SuccessCallbackResult<GraphQLBody<T> | string>;
  try {
    response = await Taro.request<GraphQLBody<T> | string>({
      url: `${base}/graphql`,
      method: 'POST',
      header: { 'content-type': 'application/json', ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
      data,
      dataType: 'json',
      timeout: timeoutMs,
    });
  } catch (error) {
    throw requestFailure(error, base);
  }
  let body: GraphQLBody<T> | string | null = response.data;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as GraphQLBody<T>;
    } catch {
      body = null;
    }
  }
  const first = body?.errors?.[0];
  if (first) throw new ApiError(first);
  if (!body?.data) {
    // A proxy's error page, a 5xx without a GraphQL body, or a page that is not the API at all: nothing
    // was decided, so it is worth retrying; the error says which, for the message.
    throw answerFailure(response.statusCode, base);
  }
  return body.data;
}

/** Sends the hash; a server that does not know it gets the text (a production server refuses that for cadres). */
async function post<T>(operation: Operation, variables: unknown, accessToken: string | null, timeoutMs = TIMEOUT_MS): Promise<T> {
  try {
    return await postOnce<T>(operation, variables, accessToken, false, timeoutMs);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'PERSISTED_QUERY_NOT_FOUND' && operation.hash) {
      return postOnce<T>(operation, variables, accessToken, true, timeoutMs);
    }
    throw error;
  }
}

let refreshing: Promise<string> | null = null;

/**
 * Exchanges the refresh token for new tokens. Refresh tokens are single use, so concurrent callers
 * share one exchange. A refusal ends the session; a network failure keeps it for the next try.
 */
export function refreshAccessToken(): Promise<string> {
  refreshing ??= (async () => {
    const session = getSession();
    if (!session) throw new SignedOutError();
    try {
      const data = await post<RefreshTokenMutation>(operationOf(RefreshTokenDocument), { refreshToken: session.refreshToken }, null);
      return saveSession(data.refreshToken).accessToken;
    } catch (error) {
      if (error instanceof ApiError) {
        clearSession();
        throw new SignedOutError();
      }
      throw error;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * Runs a typed operation. Signed-in calls send the access token; when the server does not accept it
 * (normally "expired"), the token is refreshed once and the call tried again. timeoutMs: for an answer
 * larger than a screen's (the caseload's 100 households).
 */
export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  { auth = true, timeoutMs = TIMEOUT_MS }: { auth?: boolean; timeoutMs?: number } = {},
): Promise<TResult> {
  const operation = operationOf(document);
  if (!auth) return post<TResult>(operation, variables, null, timeoutMs);
  const session = getSession();
  if (!session) throw new SignedOutError();
  try {
    return await post<TResult>(operation, variables, session.accessToken, timeoutMs);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'UNAUTHENTICATED')) throw error;
  }
  const accessToken = await refreshAccessToken();
  return post<TResult>(operation, variables, accessToken, timeoutMs);
}

/** The current access token, refreshed first when the stored one has run out. */
export async function freshAccessToken(): Promise<string> {
  const session = getSession();
  if (!session) throw new SignedOutError();
  // A minute's margin: the token must still be valid when the server reads it.
  if (Date.parse(session.accessTokenExpiresAt) - Date.now() > 60_000) return session.accessToken;
  return refreshAccessToken();
}

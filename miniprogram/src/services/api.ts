import Taro from '@tarojs/taro';
import type { TypedDocumentString } from '@/graphql/generated/graphql';
import { RefreshTokenDocument, type RefreshTokenMutation } from '@/graphql/generated/graphql';
import { apiBase } from './config';
import { ApiError, NetworkError, SignedOutError, type ApiProblem } from './errors';
import { clearSession, getSession, saveSession } from './session';

const TIMEOUT_MS = 20_000;

interface GraphQLBody<T> {
  data?: T | null;
  errors?: ApiProblem[];
}

/** One POST to /graphql. Throws NetworkError when no answer came back, ApiError for a GraphQL error. */
async function post<T>(query: string, variables: unknown, accessToken: string | null): Promise<T> {
  let response: Taro.request.SuccessCallbackResult<GraphQLBody<T> | string>;
  try {
    response = await Taro.request<GraphQLBody<T> | string>({
      url: `${apiBase()}/graphql`,
      method: 'POST',
      header: { 'content-type': 'application/json', ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
      data: { query, variables },
      dataType: 'json',
      timeout: TIMEOUT_MS,
    });
  } catch (error) {
    throw new NetworkError(error instanceof Error ? error.message : String((error as { errMsg?: string })?.errMsg ?? error));
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
    // A proxy's error page or a 5xx without a GraphQL body: nothing was decided, so it is worth retrying.
    throw new NetworkError(`HTTP ${response.statusCode}`);
  }
  return body.data;
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
      const data = await post<RefreshTokenMutation>(RefreshTokenDocument.toString(), { refreshToken: session.refreshToken }, null);
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
 * (normally "expired"), the token is refreshed once and the call tried again.
 */
export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  { auth = true }: { auth?: boolean } = {},
): Promise<TResult> {
  const query = document.toString();
  if (!auth) return post<TResult>(query, variables, null);
  const session = getSession();
  if (!session) throw new SignedOutError();
  try {
    return await post<TResult>(query, variables, session.accessToken);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'UNAUTHENTICATED')) throw error;
  }
  const accessToken = await refreshAccessToken();
  return post<TResult>(query, variables, accessToken);
}

/** The current access token, refreshed first when the stored one has run out. */
export async function freshAccessToken(): Promise<string> {
  const session = getSession();
  if (!session) throw new SignedOutError();
  // A minute's margin: the token must still be valid when the server reads it.
  if (Date.parse(session.accessTokenExpiresAt) - Date.now() > 60_000) return session.accessToken;
  return refreshAccessToken();
}

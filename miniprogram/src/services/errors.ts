/**
 * Two kinds of failure matter to a cadre with a weak signal: the server was not reached (or did not
 * answer), so nothing is known and the record must be kept and sent again; or the server answered
 * with a refusal, which sending again would not change.
 *
 * "Not reached" has causes a cadre (or whoever set the app up) fixes differently, so a NetworkError
 * says which one it saw; every kind is worth retrying and keeps a queued record queued.
 * - offline: no signal (the browser says it is offline; in WeChat, any failure without a clearer sign)
 * - timeout: the request went out and nothing came back in time (a weak signal, a stalled server)
 * - unreachable: the h5 app is online but the browser got no answer it may read: nothing answers at
 *   that address, or the API did not allow this page's origin (CORS). Browsers give the page the same
 *   "Failed to fetch" for both, on purpose, so they cannot be told apart here.
 * - not-api: something answered, but not the API (an HTML page, a 404): the address is wrong
 * - no-verdict: the API or its proxy answered 5xx without a GraphQL answer (a restart, an overload)
 */
export type NetworkFailureKind = 'offline' | 'timeout' | 'unreachable' | 'not-api' | 'no-verdict';

export class NetworkError extends Error {
  readonly kind: NetworkFailureKind;
  /** The API address that was called, for the messages that name it. */
  readonly apiBase: string | undefined;

  constructor(message = '网络不可用', kind: NetworkFailureKind = 'offline', apiBase?: string) {
    super(message);
    this.name = 'NetworkError';
    this.kind = kind;
    this.apiBase = apiBase;
  }
}

interface H5Navigator {
  onLine?: boolean;
}

/** The h5 browser's own word that it has no network; undefined where there is none to ask (weapp). */
function browserOffline(): boolean | undefined {
  if (process.env.TARO_ENV !== 'h5' || typeof navigator === 'undefined') return undefined;
  const { onLine } = navigator as unknown as H5Navigator;
  return typeof onLine === 'boolean' ? !onLine : undefined;
}

function failureText(failure: unknown): string {
  if (failure instanceof Error) return `${failure.name}: ${failure.message}`;
  const errMsg = (failure as { errMsg?: unknown } | null)?.errMsg;
  return typeof errMsg === 'string' ? errMsg : String(failure);
}

/**
 * What a request that got no response at all (Taro.request or Taro.uploadFile rejected) means.
 * Chromium rejects fetch with "TypeError: Failed to fetch" when offline, when nothing listens at the
 * address and when CORS refuses the origin; Taro's h5 timeout aborts the fetch ("AbortError"). So in
 * h5, navigator.onLine separates no signal from an address that does not answer this page. WeChat
 * says "request:fail timeout" for a timeout, "url not in domain list" for an address the
 * mini-program may not call, and passes Android's network codes on (net::ERR_CONNECTION_REFUSED…).
 */
export function requestFailure(failure: unknown, apiBase: string): NetworkError {
  const text = failureText(failure);
  const offline = browserOffline();
  if (offline === true) return new NetworkError(text, 'offline', apiBase);
  if (/timeout|timed out|AbortError|aborted/i.test(text)) return new NetworkError(text, 'timeout', apiBase);
  if (offline === false) return new NetworkError(text, 'unreachable', apiBase);
  // A refused connection or a domain the mini-program may not call: the network works, the address does
  // not. A failed name lookup is left out: on a weak signal that is the network, not the address.
  if (/domain list|合法域名|ERR_CONNECTION_REFUSED|ERR_CERT|SSL/i.test(text)) return new NetworkError(text, 'unreachable', apiBase);
  return new NetworkError(text, 'offline', apiBase);
}

/**
 * An HTTP answer with no GraphQL body in it. A 5xx (but 501, "not implemented", which static file
 * servers give a POST) is the API or its proxy failing for now; anything else (an HTML page with 200,
 * a 404, a 405) came from something that is not the API, at a wrong address.
 */
export function answerFailure(statusCode: number, apiBase: string): NetworkError {
  const kind: NetworkFailureKind = statusCode >= 500 && statusCode !== 501 ? 'no-verdict' : 'not-api';
  return new NetworkError(`HTTP ${statusCode}`, kind, apiBase);
}

export interface ApiProblem {
  message: string;
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

export class ApiError extends Error {
  readonly code: string;
  /** The input field at fault (BAD_USER_INPUT), e.g. "input.summary". */
  readonly field: string | undefined;

  constructor(problem: ApiProblem) {
    super(problem.message);
    this.name = 'ApiError';
    this.code = problem.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    this.field = typeof problem.extensions?.field === 'string' ? problem.extensions.field : undefined;
  }
}

/** Codes that mean "the server looked at this and said no": retrying the same request cannot succeed. */
const REFUSALS = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST']);

export function isRefusal(error: unknown): error is ApiError {
  return error instanceof ApiError && REFUSALS.has(error.code);
}

/** The session is gone (refresh failed): keep what is queued, ask the cadre to sign in again. */
export class SignedOutError extends Error {
  constructor() {
    super('登录已失效，请重新登录');
    this.name = 'SignedOutError';
  }
}

const CODE_MESSAGES: Record<string, string> = {
  BAD_USER_INPUT: '填写的内容有误',
  FORBIDDEN: '无权操作（该户可能已不在您的名下）',
  NOT_FOUND: '记录不存在',
  CONFLICT: '数据已被修改，请刷新后重试',
  TOO_MANY_REQUESTS: '操作过于频繁，请稍后再试',
  // The server no longer knows this build's operations: only an update of the mini-program helps.
  OPERATION_NOT_SAFELISTED: '小程序版本过旧，请更新后重试',
  UNAVAILABLE: '服务暂不可用',
  FEATURE_DISABLED: '服务器未开启此功能',
  UNAUTHENTICATED: '登录已失效，请重新登录',
};

function describeNetworkError(error: NetworkError): string {
  const address = error.apiBase ?? '';
  switch (error.kind) {
    case 'timeout':
      return '网络不可用（请求超时），请稍后重试';
    case 'unreachable':
      return `无法连接服务器 ${address}：服务器未运行、地址不对或未允许此来源（CORS）`;
    case 'not-api':
      return `服务器地址不对：${address} 的回答不是万家的接口`;
    case 'no-verdict':
      return '服务暂不可用，请稍后重试';
    default:
      return '网络不可用，请稍后重试';
  }
}

/** A sentence for a cadre; server messages are English and only shown as a detail. */
export function describeError(error: unknown): string {
  if (error instanceof NetworkError) return describeNetworkError(error);
  if (error instanceof SignedOutError) return error.message;
  if (error instanceof ApiError) return CODE_MESSAGES[error.code] ?? '服务出错，请稍后重试';
  return '出错了，请稍后重试';
}

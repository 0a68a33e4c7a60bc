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

/**
 * What the server's refusal of a field means, in Chinese, for the fields the cadres' forms send (the
 * server words its messages in English for every client). Matched on the field's path without its
 * indexes, so `input.demandsRaised.0.text` reads as `input.demandsRaised.text`.
 */
const FIELD_REFUSALS: Record<string, string> = {
  'input.resolvedDemandIds': '所选诉求已不能由这次走访解决：可能已被解决、群众回访后已重新办理，或提出时间晚于这次走访。请取消勾选后重新提交。',
  'input.occurredAt': '走访时间不在您帮扶该户的期间内，或晚于当前时间，请核对走访时间。',
  'input.photoIds': '照片需要重新添加后再提交。',
  'input.summary': '请填写帮扶情况（不能只有空格，最多 1000 字）。',
  'input.kinds': '请至少选择一种帮扶方式。',
  'input.fundsFen': '资金金额超出允许范围。',
  'input.materialsFen': '物资价值超出允许范围。',
  'input.problemsSolved': '解决问题件数超出允许范围（0 至 100）。',
  'input.latitude': '位置信息不完整，请重新获取位置或清除位置。',
  'input.longitude': '位置信息不完整，请重新获取位置或清除位置。',
  'input.demandsRaised.text': '诉求内容请填写 2 至 1000 字（不能只有空格）。',
  'input.demandsRaised.dueOn': '诉求的办理期限格式不对。',
  'input.clientId': '这条记录与已提交的另一条内容冲突，请放弃后重新填写。',
  'input.note': '请填写说明（群众不满意时必填，最多 500 字）。',
  'input.answeredAt': '回访时间不能早于诉求解决时间，也不能晚于当前时间。',
  'input.satisfaction': '请选择群众评价。',
  reason: '请填写查看原因（至少 4 个字）。',
};

/** The same for a refusal without a field the app knows, by its code. */
const CODE_REFUSALS: Record<string, string> = {
  FORBIDDEN: '您已不是该户的帮扶干部，或该户已移交；如有疑问请联系管理员。',
  NOT_FOUND: '这条记录已不存在，请返回刷新。',
  CONFLICT: '记录已被更改（例如已被更正，或群众已回访），请返回刷新后重新操作。',
};

/**
 * A refusal as a cadre reads it: the Chinese meaning of its field or code where the app knows it; the
 * server's own words otherwise (better than nothing, and what support staff search for).
 */
export function refusalText(error: ApiError): string {
  const field = error.field?.replace(/\.\d+(?=\.|$)/g, '');
  return (field ? FIELD_REFUSALS[field] : undefined) ?? CODE_REFUSALS[error.code] ?? error.message;
}

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

/**
 * Two kinds of failure matter to a cadre with a weak signal: the server was not reached (or did not
 * answer), so nothing is known and the record must be kept and sent again; or the server answered
 * with a refusal, which sending again would not change.
 */
export class NetworkError extends Error {
  constructor(message = '网络不可用') {
    super(message);
    this.name = 'NetworkError';
  }
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

/** A sentence for a cadre; server messages are English and only shown as a detail. */
export function describeError(error: unknown): string {
  if (error instanceof NetworkError) return '网络不可用，请稍后重试';
  if (error instanceof SignedOutError) return error.message;
  if (error instanceof ApiError) return CODE_MESSAGES[error.code] ?? '服务出错，请稍后重试';
  return '出错了，请稍后重试';
}

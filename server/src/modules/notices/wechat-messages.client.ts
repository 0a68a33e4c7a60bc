import type { AppConfig } from '../../config';
import type { Em } from '../../core/entity-manager';
import { WechatAccessToken } from './wechat-access-token.entity';

/** Renew this long before WeChat's expiry, so that no send goes out with a token about to lapse. */
export const TOKEN_RENEW_MARGIN_MS = 5 * 60 * 1000;

/** WeChat's answer codes the worker acts on (https://developers.weixin.qq.com, subscribeMessage.send). */
export const WECHAT_ERRCODE = {
  /** The access token is invalid (another fetch replaced it) or */
  INVALID_TOKEN: 40001,
  /** …expired: renew and try once more. */
  TOKEN_EXPIRED: 42001,
  /** The user has no subscription (credit) left for this template: do not retry. */
  USER_REFUSED: 43101,
  /** The app's daily quota of calls is used up: try later. */
  QUOTA: 45009,
  /** WeChat is busy: try later. */
  BUSY: -1,
} as const;

/** A network failure, a timeout or a non-JSON / 5xx answer: nothing says WeChat took the message. */
export class WechatUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WechatUnreachableError';
  }
}

export interface WechatAnswer {
  errcode: number;
  errmsg: string;
}

export interface SubscribeMessage {
  touser: string;
  template_id: string;
  page: string;
  data: Record<string, { value: string }>;
}

const TIMEOUT_MS = 5000;

async function getJson(url: URL, init?: RequestInit): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new WechatUnreachableError(`WeChat could not be reached (${error instanceof Error ? error.name : 'error'})`, { cause: error });
  }
  if (!response.ok) throw new WechatUnreachableError(`WeChat answered HTTP ${response.status}`);
  try {
    return (await response.json()) as Record<string, unknown>;
  } catch (error) {
    throw new WechatUnreachableError('WeChat answered something other than JSON', { cause: error });
  }
}

/** The URL with the token hidden, for messages and logs (the token is a credential). */
function withoutToken(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * The mini-program's access token, from the shared table while it has more than five minutes left,
 * else fetched from WeChat and stored for every instance.
 *
 * `refused` is a token WeChat just answered 40001 / 42001 for: it is renewed only if the table still
 * holds it. WeChat keeps one live token per app id, and each fetch starts the end of the previous one
 * (five minutes of overlap): an instance that renewed on every refusal, even of a token another
 * instance had already replaced, would replace that instance's fresh token in turn, and the two could
 * go on replacing each other's. So a refused token that the table no longer holds is answered with
 * the table's newer one, unfetched. Two instances renewing the same refused token at once both succeed
 * (the overlap), and the later write wins the row.
 */
export async function accessToken(em: Em, config: AppConfig['wechat'], now: Date, refused: string | null = null): Promise<string> {
  if (!config.appId || !config.appSecret) throw new WechatUnreachableError('WeChat is not configured (WECHAT_APP_ID, WECHAT_APP_SECRET)');
  const stored = await em.fork().findOne(WechatAccessToken, { appId: config.appId });
  const usable = stored !== null && stored.expiresAt.getTime() - TOKEN_RENEW_MARGIN_MS > now.getTime();
  if (usable && stored.accessToken !== refused) return stored.accessToken;
  const url = new URL(`${config.apiBase}/cgi-bin/token`);
  url.search = new URLSearchParams({ grant_type: 'client_credential', appid: config.appId, secret: config.appSecret }).toString();
  const body = await getJson(url);
  if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
    throw new WechatUnreachableError(`WeChat refused an access token (${String(body.errcode ?? 'no token')} at ${withoutToken(url)})`);
  }
  const expiresAt = new Date(now.getTime() + body.expires_in * 1000);
  const fork = em.fork();
  await fork.upsert(WechatAccessToken, { appId: config.appId, accessToken: body.access_token, expiresAt, fetchedAt: now });
  return body.access_token;
}

/** POST subscribeMessage.send; WeChat's errcode comes back as it is (0 is success), transport failures throw. */
export async function sendSubscribeMessage(config: AppConfig['wechat'], token: string, message: SubscribeMessage): Promise<WechatAnswer> {
  const url = new URL(`${config.apiBase}/cgi-bin/message/subscribe/send`);
  url.searchParams.set('access_token', token);
  const body = await getJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
  return { errcode: Number(body.errcode ?? 0), errmsg: String(body.errmsg ?? '') };
}

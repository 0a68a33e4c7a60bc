import type { AppConfig } from '../../config';
import { BadUserInputError, FeatureDisabledError, UnavailableError } from '../../core/errors';

/**
 * WeChat's code2session: the mini-program's `wx.login` code in, the user's openid out.
 * The base URL is configuration so that tests (and intranets with a relay) can point it elsewhere.
 */
export async function exchangeWechatCode(config: AppConfig['wechat'], code: string): Promise<string> {
  if (!config.appId || !config.appSecret) {
    throw new FeatureDisabledError('WeChat sign-in is not configured on this server (WECHAT_APP_ID, WECHAT_APP_SECRET)');
  }
  if (!/^[\w-]{1,128}$/.test(code)) throw new BadUserInputError('code', 'code must be the code wx.login returned');
  const url = new URL(`${config.apiBase}/sns/jscode2session`);
  url.search = new URLSearchParams({ appid: config.appId, secret: config.appSecret, js_code: code, grant_type: 'authorization_code' }).toString();
  let body: { openid?: string; errcode?: number; errmsg?: string };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new UnavailableError('WeChat could not be reached; try again', { cause: error });
  }
  if (body.errcode || !body.openid) {
    // 40029 (invalid code) and 40163 (code used) are the client's problem; anything else is WeChat's.
    if (body.errcode === 40029 || body.errcode === 40163 || !body.errcode) {
      throw new BadUserInputError('code', 'the WeChat login code is invalid or already used; call wx.login again');
    }
    throw new UnavailableError(`WeChat refused the sign-in (${body.errcode})`);
  }
  return body.openid;
}

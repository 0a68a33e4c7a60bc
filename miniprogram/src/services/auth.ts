import Taro from '@tarojs/taro';
import { BindWechatDocument, LogoutDocument, WechatLoginDocument } from '@/graphql/generated/graphql';
import { request } from './api';
import { clearSession, getSession, saveSession } from './session';

/** A fresh wx.login code: the server spends each code on one call to WeChat's code2session. */
async function wechatCode(): Promise<string> {
  const { code } = await Taro.login();
  if (!code) throw new Error('wx.login returned no code');
  return code;
}

/** Signs the cadre in with WeChat; the first time, WeChat is not bound to an account yet. */
export async function signInWithWechat(): Promise<'signed-in' | 'bind-required'> {
  const { wechatLogin } = await request(WechatLoginDocument, { code: await wechatCode() }, { auth: false });
  if (wechatLogin.status === 'SIGNED_IN' && wechatLogin.auth) {
    saveSession(wechatLogin.auth);
    return 'signed-in';
  }
  return 'bind-required';
}

/** Binds this WeChat user to the account the administrator's one-time code names, and signs in. */
export async function bindWechat(bindCode: string): Promise<void> {
  const { bindWechat: auth } = await request(BindWechatDocument, { code: await wechatCode(), bindCode }, { auth: false });
  saveSession(auth);
}

/** Bind codes are 8 letters and digits; people type them in any case and with stray spaces. */
export function normalizeBindCode(typed: string): string | null {
  const code = typed.replace(/\s+/g, '').toUpperCase();
  return /^[A-Z0-9]{6,12}$/.test(code) ? code : null;
}

/**
 * Signs out on this phone. Ending the sign-in on the server is a courtesy; without signal the tokens
 * are forgotten anyway. Listeners of SIGNED_OUT_EVENT (app.ts) take the cadre to the sign-in page.
 */
export async function signOut(): Promise<void> {
  const session = getSession();
  if (session) await request(LogoutDocument, { refreshToken: session.refreshToken }, { auth: false }).catch(() => undefined);
  clearSession();
}

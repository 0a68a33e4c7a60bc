import Taro from '@tarojs/taro';
import { getSession } from './session';

export const LOGIN_PAGE = '/pages/login/index';
export const HOME_PAGE = '/pages/households/index';

/** For pages that need a cadre: without a session, go to the sign-in page instead. */
export function requireSession(): boolean {
  if (getSession()) return true;
  void Taro.reLaunch({ url: LOGIN_PAGE });
  return false;
}

export function goHome(): void {
  void Taro.switchTab({ url: HOME_PAGE });
}

export function householdUrl(id: string): string {
  return `/pages/household/index?id=${encodeURIComponent(id)}`;
}

export function recordUrl(householdId: string, headName: string): string {
  return `/pages/record/index?householdId=${encodeURIComponent(householdId)}&name=${encodeURIComponent(headName)}`;
}

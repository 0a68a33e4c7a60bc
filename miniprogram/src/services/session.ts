import Taro from '@tarojs/taro';
import type { SessionFieldsFragment } from '@/graphql/generated/graphql';
import { readStored, removeStored, removeStoredUnder, writeStored } from './storage';

export interface Session {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  accountId: string;
  cadre: { id: string; name: string; post: string; unitName: string } | null;
}

const KEY = 'session';
export const SIGNED_OUT_EVENT = 'wanjia:signed-out';

export function getSession(): Session | null {
  const session = readStored<Session>(KEY);
  return session && typeof session.accessToken === 'string' ? session : null;
}

export function saveSession(auth: SessionFieldsFragment): Session {
  const cadre = auth.account.cadre;
  const session: Session = {
    accessToken: auth.accessToken,
    accessTokenExpiresAt: auth.accessTokenExpiresAt,
    refreshToken: auth.refreshToken,
    refreshTokenExpiresAt: auth.refreshTokenExpiresAt,
    accountId: auth.account.id,
    cadre: cadre ? { id: cadre.id, name: cadre.name, post: cadre.post, unitName: cadre.unit.name } : null,
  };
  writeStored(KEY, session);
  return session;
}

/**
 * Forgets the tokens and every offline copy (another cadre may sign in on this phone next): the
 * screens' copies and the whole caseload (caseload.ts) are all under "cache:". Queued records stay,
 * to be sent when their cadre signs in again. Listeners of SIGNED_OUT_EVENT go back to the sign-in
 * page (app.ts) and forget the downloaded photos (photos.ts, clearPhotoCache).
 */
export function clearSession(): void {
  removeStored(KEY);
  removeStoredUnder('cache:');
  Taro.eventCenter.trigger(SIGNED_OUT_EVENT);
}

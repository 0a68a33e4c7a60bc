import { DevelopmentCadresDocument, DevelopmentSignInDocument, type DevelopmentCadresQuery } from '@/graphql/generated/graphql';
import { request } from './api';
import { saveSession } from './session';

/**
 * The demo cadres' sign-in. Only pages/login/dev-sign-in.tsx imports this, and that page is compiled
 * out of builds without TARO_APP_DEV_SIGN_IN=true, so the weapp release carries neither.
 */

export type DemoCadre = DevelopmentCadresQuery['developmentCadres'][number];

export async function loadDemoCadres(): Promise<DemoCadre[]> {
  return (await request(DevelopmentCadresDocument, {}, { auth: false })).developmentCadres;
}

export async function signInAsDemoCadre(cadreId: string): Promise<void> {
  const { developmentSignIn } = await request(DevelopmentSignInDocument, { cadreId }, { auth: false });
  saveSession(developmentSignIn);
}

import { useEffect, type PropsWithChildren } from 'react';
import Taro, { useDidShow, useLaunch } from '@tarojs/taro';
import { refreshCaseloadIfDue, startCaseloadSync } from '@/services/caseload';
import { refreshCopiesAfterDeliveries } from '@/services/household';
import { LOGIN_PAGE } from '@/services/navigation';
import { startOutboxSync, syncOutbox } from '@/services/records';
import { SIGNED_OUT_EVENT } from '@/services/session';
import './app.scss';

function backToSignIn() {
  const pages = Taro.getCurrentPages();
  const current = pages[pages.length - 1]?.route ?? '';
  if (!`/${current}`.startsWith(LOGIN_PAGE)) void Taro.reLaunch({ url: LOGIN_PAGE });
}

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    startOutboxSync();
    startCaseloadSync();
    refreshCopiesAfterDeliveries();
  });
  // Coming back to the foreground is the moment a weak signal has most likely recovered: send what
  // is queued, and bring the offline caseload up to date (at most every 5 minutes; signed out, nothing).
  useDidShow(() => {
    void syncOutbox();
    refreshCaseloadIfDue();
  });
  // Signing out, or a refresh token the server no longer accepts, ends up on the sign-in page.
  useEffect(() => {
    Taro.eventCenter.on(SIGNED_OUT_EVENT, backToSignIn);
    return () => void Taro.eventCenter.off(SIGNED_OUT_EVENT, backToSignIn);
  }, []);
  return children;
}

export default App;

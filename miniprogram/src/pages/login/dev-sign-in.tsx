import { useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { loadDemoCadres, signInAsDemoCadre, type DemoCadre } from '@/services/dev-sign-in';
import { ApiError, describeError } from '@/services/errors';
import { enterApp } from './enter-app';

/**
 * The demo cadres' sign-in (h5 build and demos only; compiled out unless TARO_APP_DEV_SIGN_IN=true).
 * The server offers it only when it runs with DEV_SIGN_IN=true, and never in production.
 */
export default function DevSignIn({ onError }: { onError: (message: string | null) => void }) {
  const [cadres, setCadres] = useState<DemoCadre[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState<string | null>(null);

  useEffect(() => {
    loadDemoCadres()
      .then(setCadres)
      .catch((error: unknown) =>
        setNote(error instanceof ApiError && error.code === 'FEATURE_DISABLED' ? '服务器未开启开发登录（DEV_SIGN_IN）' : describeError(error)),
      );
  }, []);

  async function signInAs(cadre: DemoCadre) {
    onError(null);
    setSigningIn(cadre.id);
    try {
      await signInAsDemoCadre(cadre.id);
      enterApp();
    } catch (error) {
      onError(describeError(error));
    } finally {
      setSigningIn(null);
    }
  }

  return (
    <View className="card dev-sign-in">
      <View className="card__title">
        <Text>开发登录</Text>
        <Text className="muted">仅用于演示和测试</Text>
      </View>
      {note && <View className="muted">{note}</View>}
      {!note && cadres === null && <View className="muted">正在读取演示干部…</View>}
      {cadres?.length === 0 && <View className="muted">没有可用的演示干部</View>}
      {cadres?.map((cadre) => (
        <View key={cadre.id} className={`dev-sign-in__cadre ${signingIn === cadre.id ? 'dev-sign-in__cadre--busy' : ''}`} onClick={() => void signInAs(cadre)}>
          <View>
            <Text className="dev-sign-in__name">{cadre.name}</Text>
            <Text className="muted"> {cadre.post}</Text>
          </View>
          <View className="muted">{cadre.unit.name}</View>
          <Text className="dev-sign-in__action">{signingIn === cadre.id ? '登录中…' : '以此身份登录'}</Text>
        </View>
      ))}
    </View>
  );
}

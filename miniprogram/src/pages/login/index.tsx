import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { useLoad } from '@tarojs/taro';
import { Button } from '@/components/ui';
import FieldError from '@/components/field-error';
import { bindWechat, normalizeBindCode, signInWithWechat } from '@/services/auth';
import { promptNoticeSubscriptions, recordNoticeAnswer } from '@/services/notices';
import { ApiError, describeError } from '@/services/errors';
import { goHome } from '@/services/navigation';
import { enterApp } from './enter-app';
import { getSession } from '@/services/session';
import type DevSignInComponent from './dev-sign-in';
import './index.scss';

const IN_WECHAT = process.env.TARO_ENV === 'weapp';

/**
 * Written out (not imported from services/config) so that webpack sees a constant and leaves the
 * demo sign-in out of builds without it: the weapp release must not even contain it.
 */
const DevSignIn: typeof DevSignInComponent | null =
  process.env.TARO_APP_DEV_SIGN_IN === 'true' ? (require('./dev-sign-in') as { default: typeof DevSignInComponent }).default : null;

export default function LoginPage() {
  const [stage, setStage] = useState<'start' | 'signing-in' | 'bind'>('start');
  const [bindCode, setBindCode] = useState('');
  const [bindError, setBindError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function signIn() {
    setError(null);
    setStage('signing-in');
    try {
      if ((await signInWithWechat()) === 'signed-in') enterApp();
      else setStage('bind');
    } catch (caught) {
      setError(describeError(caught));
      setStage('start');
    }
  }

  async function bind() {
    const code = normalizeBindCode(bindCode);
    if (!code) {
      setBindError('请输入管理员提供的 8 位绑定码');
      return;
    }
    setBindError(undefined);
    setBusy(true);
    // WeChat's subscription prompt opens only from the tap itself; its answer is recorded once bound.
    const subscriptions = promptNoticeSubscriptions();
    try {
      await bindWechat(code);
      await recordNoticeAnswer(subscriptions);
      enterApp();
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'BAD_USER_INPUT') setBindError('绑定码错误、已使用或已过期，请联系管理员重新获取');
      else setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  useLoad(() => {
    if (getSession()) goHome();
    else if (IN_WECHAT) void signIn();
  });

  return (
    <View className="login">
      <View className="login__brand">
        <Text className="login__title">万家</Text>
        <Text className="login__subtitle">机关干部进万家 · 干部端</Text>
      </View>

      {IN_WECHAT && stage !== 'bind' && (
        <View className="card">
          <View className="login__lead">使用微信登录，查看您联系的帮扶户并记录帮扶情况。</View>
          <Button type="primary" block loading={stage === 'signing-in'} disabled={stage === 'signing-in'} onClick={() => void signIn()}>
            微信登录
          </Button>
        </View>
      )}

      {stage === 'bind' && (
        <View className="card">
          <View className="card__title">首次登录：绑定账号</View>
          <View className="login__lead">请输入管理员发给您的绑定码（8 位，72 小时内有效，只能使用一次）。</View>
          <View className={`field ${bindError ? 'field--invalid' : ''}`}>
            <Input
              className="input login__code"
              value={bindCode}
              maxlength={12}
              placeholder="绑定码"
              onInput={(event) => setBindCode(event.detail.value)}
              onConfirm={() => void bind()}
            />
            <FieldError message={bindError} />
          </View>
          <Button type="primary" block loading={busy} disabled={busy} onClick={() => void bind()}>
            绑定并登录
          </Button>
        </View>
      )}

      {!IN_WECHAT && !DevSignIn && <View className="card login__lead">请在微信中打开“万家”小程序登录。</View>}

      {error && <View className="login__error">{error}</View>}

      {DevSignIn && <DevSignIn onError={setError} />}
    </View>
  );
}

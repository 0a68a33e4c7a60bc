import Taro, { taroMock } from './mocks/taro';
import { bindWechat, normalizeBindCode, signInWithWechat } from '@/services/auth';
import { ApiError } from '@/services/errors';
import { getSession } from '@/services/session';

const requestMock = Taro.request as jest.Mock;
const loginMock = Taro.login as jest.Mock;

const AUTH = {
  accessToken: 'access-1',
  accessTokenExpiresAt: '2026-11-28T02:15:00.000Z',
  refreshToken: 'refresh-1',
  refreshTokenExpiresAt: '2026-12-28T02:00:00.000Z',
  account: { id: '11', role: 'CADRE', cadre: { id: '2', name: '皋政君', post: '科员', unit: { name: '中共本溪市委办公室' } } },
};

type Sent = { header: Record<string, string>; data: { operationName: string; variables: Record<string, unknown> } };
const answer = (body: unknown) => Promise.resolve({ statusCode: 200, data: body });

beforeEach(() => {
  taroMock.resetStorage();
  requestMock.mockReset();
  let codes = 0;
  loginMock.mockReset().mockImplementation(async () => ({ code: `wx-code-${++codes}`, errMsg: 'login:ok' }));
});

describe('WeChat sign-in and the first-time binding', () => {
  it('signs a bound cadre straight in and keeps the tokens', async () => {
    requestMock.mockImplementationOnce(() => answer({ data: { wechatLogin: { status: 'SIGNED_IN', auth: AUTH } } }));
    await expect(signInWithWechat()).resolves.toBe('signed-in');
    const sent = requestMock.mock.calls[0]![0] as Sent;
    expect(sent.data.variables).toEqual({ code: 'wx-code-1' });
    expect(sent.header.authorization).toBeUndefined();
    expect(getSession()).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1', cadre: { name: '皋政君', unitName: '中共本溪市委办公室' } });
  });

  it('asks for the bind code when WeChat is not bound yet, and binds with a fresh wx.login code', async () => {
    requestMock.mockImplementationOnce(() => answer({ data: { wechatLogin: { status: 'BIND_REQUIRED', auth: null } } }));
    await expect(signInWithWechat()).resolves.toBe('bind-required');
    expect(getSession()).toBeNull();

    requestMock.mockImplementationOnce(() => answer({ data: { bindWechat: AUTH } }));
    await bindWechat('K7Q2M9XD');
    const sent = requestMock.mock.calls[1]![0] as Sent;
    expect(sent.data.operationName).toBe('BindWechat');
    // wx.login codes are single use: the one spent on wechatLogin cannot bind.
    expect(sent.data.variables).toEqual({ code: 'wx-code-2', bindCode: 'K7Q2M9XD' });
    expect(getSession()).toMatchObject({ accessToken: 'access-1' });
  });

  it('passes a wrong bind code on as the server refused it, without a session', async () => {
    requestMock.mockImplementationOnce(() =>
      answer({ errors: [{ message: 'The bind code is wrong, used or expired', extensions: { code: 'BAD_USER_INPUT', field: 'bindCode' } }] }),
    );
    await expect(bindWechat('WRONG123')).rejects.toEqual(expect.any(ApiError));
    expect(getSession()).toBeNull();
  });

  it('accepts bind codes typed in lower case or with spaces', () => {
    expect(normalizeBindCode(' k7q2 m9xd ')).toBe('K7Q2M9XD');
    expect(normalizeBindCode('k7q-2m9')).toBeNull();
    expect(normalizeBindCode('')).toBeNull();
  });
});

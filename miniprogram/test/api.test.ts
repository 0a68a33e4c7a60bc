import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Taro, { taroMock } from './mocks/taro';
import { MyStatsDocument } from '@/graphql/generated/graphql';
import { request } from '@/services/api';
import { ApiError, NetworkError, SignedOutError } from '@/services/errors';
import { getSession, saveSession } from '@/services/session';

const requestMock = Taro.request as jest.Mock;

function auth(accessToken: string, refreshToken: string) {
  return {
    accessToken,
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    refreshToken,
    refreshTokenExpiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    account: { id: '11', role: 'CADRE' as const, cadre: { id: '2', name: '皋政君', post: '科员', unit: { name: '中共本溪市委办公室' } } },
  };
}

const STATS = { me: { id: '11', cadre: null }, currentRound: null, myStats: { households: 4 } };

type Sent = {
  url: string;
  header: Record<string, string>;
  data: { query?: string; operationName: string; variables: Record<string, unknown>; extensions?: { persistedQuery: { version: number; sha256Hash: string } } };
};
const sent = () => requestMock.mock.calls.map(([options]) => options as Sent);
const answer = (data: unknown, statusCode = 200) => Promise.resolve({ statusCode, data, header: {}, errMsg: 'request:ok' });
const expired = () => answer({ errors: [{ message: 'Access token expired; refresh it', extensions: { code: 'UNAUTHENTICATED' } }] });

beforeEach(() => {
  taroMock.resetStorage();
  requestMock.mockReset();
  saveSession(auth('access-1', 'refresh-1'));
});

describe('the GraphQL transport over Taro.request', () => {
  it('posts the typed document with the access token to the configured API', async () => {
    requestMock.mockImplementationOnce(() => answer({ data: STATS }));
    await expect(request(MyStatsDocument, {})).resolves.toEqual(STATS);
    const [call] = sent();
    expect(call!.url).toBe('http://localhost:4000/graphql');
    expect(call!.header.authorization).toBe('Bearer access-1');
    expect(call!.data.operationName).toBe('MyStats');
  });

  it('sends a safelisted document as its sha256 only, the hash the committed safelist holds', async () => {
    requestMock.mockImplementationOnce(() => answer({ data: STATS }));
    await request(MyStatsDocument, {});
    const [call] = sent();
    expect(call!.data.query).toBeUndefined();
    const hash = call!.data.extensions!.persistedQuery.sha256Hash;
    expect(call!.data.extensions!.persistedQuery.version).toBe(1);
    const safelist = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../shared/persisted-operations.json'), 'utf8')) as Record<string, string>;
    expect(safelist[hash]).toContain('query MyStats');
    expect(createHash('sha256').update(safelist[hash]!).digest('hex')).toBe(hash);
  });

  it('sends the text once when the server does not know the hash (a development server on an older safelist)', async () => {
    requestMock
      .mockImplementationOnce(() => answer({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] }))
      .mockImplementationOnce(() => answer({ data: STATS }));
    await expect(request(MyStatsDocument, {})).resolves.toEqual(STATS);
    const calls = sent();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.data.query).toContain('query MyStats');
    expect(calls[1]!.data.extensions).toBeUndefined();
  });

  it('refreshes an expired access token once, stores the new tokens and repeats the call', async () => {
    requestMock
      .mockImplementationOnce(expired)
      .mockImplementationOnce(() => answer({ data: { refreshToken: auth('access-2', 'refresh-2') } }))
      .mockImplementationOnce(() => answer({ data: STATS }));
    await expect(request(MyStatsDocument, {})).resolves.toEqual(STATS);
    const calls = sent();
    expect(calls[1]!.data.variables).toEqual({ refreshToken: 'refresh-1' });
    expect(calls[1]!.header.authorization).toBeUndefined();
    expect(calls[2]!.header.authorization).toBe('Bearer access-2');
    expect(getSession()).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });
  });

  it('shares one refresh between calls that find the token expired at the same time (refresh tokens are single use)', async () => {
    let refreshes = 0;
    requestMock.mockImplementation((options: Sent) => {
      if (options.data.operationName === 'RefreshToken') {
        refreshes += 1;
        return answer({ data: { refreshToken: auth('access-2', 'refresh-2') } });
      }
      return options.header.authorization === 'Bearer access-2' ? answer({ data: STATS }) : expired();
    });
    await Promise.all([request(MyStatsDocument, {}), request(MyStatsDocument, {}), request(MyStatsDocument, {})]);
    expect(refreshes).toBe(1);
  });

  it('ends the session when the refresh token is refused', async () => {
    const signedOut = jest.fn();
    Taro.eventCenter.on('wanjia:signed-out', signedOut);
    requestMock
      .mockImplementationOnce(expired)
      .mockImplementationOnce(() =>
        answer({ errors: [{ message: 'Refresh token invalid or expired; sign in again', extensions: { code: 'UNAUTHENTICATED' } }] }),
      );
    await expect(request(MyStatsDocument, {})).rejects.toBeInstanceOf(SignedOutError);
    expect(getSession()).toBeNull();
    expect(signedOut).toHaveBeenCalled();
  });

  it('keeps the session when the refresh could not reach the server', async () => {
    requestMock.mockImplementationOnce(expired).mockImplementationOnce(() => Promise.reject({ errMsg: 'request:fail timeout' }));
    await expect(request(MyStatsDocument, {})).rejects.toBeInstanceOf(NetworkError);
    expect(getSession()).toMatchObject({ refreshToken: 'refresh-1' });
  });

  it('tells a network failure from an answer: no answer, or no GraphQL body, is a NetworkError', async () => {
    requestMock.mockImplementationOnce(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(request(MyStatsDocument, {})).rejects.toBeInstanceOf(NetworkError);
    requestMock.mockImplementationOnce(() => answer('<html>502 Bad Gateway</html>', 502));
    await expect(request(MyStatsDocument, {})).rejects.toBeInstanceOf(NetworkError);
  });

  it("passes the server's code and field on as an ApiError", async () => {
    requestMock.mockImplementationOnce(() =>
      answer({ errors: [{ message: 'summary must be shorter', extensions: { code: 'BAD_USER_INPUT', field: 'input.summary' } }] }, 200),
    );
    const error = (await request(MyStatsDocument, {}).catch((caught: unknown) => caught)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.summary', message: 'summary must be shorter' });
  });

  it('refuses to call a signed-in operation without a session', async () => {
    taroMock.resetStorage();
    await expect(request(MyStatsDocument, {})).rejects.toBeInstanceOf(SignedOutError);
    expect(requestMock).not.toHaveBeenCalled();
  });
});

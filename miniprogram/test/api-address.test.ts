import Taro, { taroMock } from './mocks/taro';
import { MyStatsDocument } from '@/graphql/generated/graphql';
import { request } from '@/services/api';
import { apiBase } from '@/services/config';
import { describeError, NetworkError } from '@/services/errors';
import { saveSession } from '@/services/session';

/**
 * Where the h5 app finds its API (window.WANJIA_API_BASE from config.js, else the origin of the API that
 * served the page under /app/, else the build's address), and what a cadre reads when it is not found.
 */
const requestMock = Taro.request as jest.Mock;
const globals = globalThis as { window?: unknown; navigator?: unknown };
const originalNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');

function pageAt(href: string, settings: { WANJIA_API_BASE?: unknown } = {}) {
  const url = new URL(href);
  globals.window = { ...settings, location: { protocol: url.protocol, origin: url.origin, pathname: url.pathname, href } };
}

function browserOnline(onLine: boolean) {
  Object.defineProperty(globalThis, 'navigator', { value: { onLine }, configurable: true, writable: true });
}

/** Calls one signed-in operation and returns what it threw. */
async function failureOf(): Promise<unknown> {
  return request(MyStatsDocument, {}).then(
    () => {
      throw new Error('expected a failure');
    },
    (caught: unknown) => caught,
  );
}

beforeEach(() => {
  taroMock.resetStorage();
  requestMock.mockReset();
  saveSession({
    accessToken: 'access-1',
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    refreshToken: 'refresh-1',
    refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    account: { id: '11', role: 'CADRE', cadre: null },
  });
});

afterEach(() => {
  delete (process.env as { TARO_ENV?: string }).TARO_ENV;
  delete globals.window;
  if (originalNavigator) Object.defineProperty(globalThis, 'navigator', originalNavigator);
  else delete globals.navigator;
});

describe('the API address', () => {
  it('is the build-time address in WeChat, whatever a window says', () => {
    process.env.TARO_ENV = 'weapp';
    pageAt('https://wanjia.example.gov.cn/app/', { WANJIA_API_BASE: 'https://elsewhere.example.gov.cn' });
    expect(apiBase()).toBe('http://localhost:4000');
  });

  it("is config.js's window.WANJIA_API_BASE in h5, without a trailing slash", () => {
    process.env.TARO_ENV = 'h5';
    pageAt('http://127.0.0.1:10086/', { WANJIA_API_BASE: 'https://api.example.gov.cn/' });
    expect(apiBase()).toBe('https://api.example.gov.cn');
    // config.js wins over the origin even where the API served the page (behind a proxy: the public URL).
    pageAt('http://10.0.0.5:4000/app/', { WANJIA_API_BASE: 'https://wanjia.example.gov.cn' });
    expect(apiBase()).toBe('https://wanjia.example.gov.cn');
  });

  it('is the origin of the page when the API served it under /app/ and config.js said nothing', () => {
    process.env.TARO_ENV = 'h5';
    pageAt('http://localhost:4000/app/');
    expect(apiBase()).toBe('http://localhost:4000');
    pageAt('https://wanjia.example.gov.cn/app/index.html');
    expect(apiBase()).toBe('https://wanjia.example.gov.cn');
    // Not a usable setting: ignored.
    pageAt('https://wanjia.example.gov.cn/app/', { WANJIA_API_BASE: 'wanjia.example.gov.cn' });
    expect(apiBase()).toBe('https://wanjia.example.gov.cn');
  });

  it('is the build-time address for a page served elsewhere or opened from disk', () => {
    process.env.TARO_ENV = 'h5';
    pageAt('http://127.0.0.1:10086/');
    expect(apiBase()).toBe('http://localhost:4000');
    pageAt('http://127.0.0.1:10086/application/');
    expect(apiBase()).toBe('http://localhost:4000');
    pageAt('file:///home/cadre/dist/h5/index.html');
    expect(apiBase()).toBe('http://localhost:4000');
  });

  it('is where the requests go', async () => {
    process.env.TARO_ENV = 'h5';
    pageAt('http://localhost:4000/app/');
    requestMock.mockResolvedValueOnce({ statusCode: 200, data: { data: { me: null } }, header: {}, errMsg: 'request:ok' });
    await request(MyStatsDocument, {});
    expect((requestMock.mock.calls[0]![0] as { url: string }).url).toBe('http://localhost:4000/graphql');
  });
});

describe('what a cadre reads when the API is not reached', () => {
  it('in h5 online, a fetch that fails (no API at the address, or CORS refused the origin) says so and names the address', async () => {
    process.env.TARO_ENV = 'h5';
    pageAt('http://127.0.0.1:10086/', { WANJIA_API_BASE: 'http://127.0.0.1:4999' });
    browserOnline(true);
    requestMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    const failure = await failureOf();
    expect(failure).toBeInstanceOf(NetworkError);
    expect(failure).toMatchObject({ kind: 'unreachable', apiBase: 'http://127.0.0.1:4999' });
    expect(describeError(failure)).toBe('无法连接服务器 http://127.0.0.1:4999：服务器未运行、地址不对或未允许此来源（CORS）');
  });

  it('in h5 offline, the same failure is no signal: 网络不可用', async () => {
    process.env.TARO_ENV = 'h5';
    pageAt('http://localhost:4000/app/');
    browserOnline(false);
    requestMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    const failure = await failureOf();
    expect(failure).toMatchObject({ kind: 'offline' });
    expect(describeError(failure)).toBe('网络不可用，请稍后重试');
  });

  it("a timeout (Taro h5 aborts the fetch; WeChat says 'request:fail timeout') is the network", async () => {
    process.env.TARO_ENV = 'h5';
    pageAt('http://localhost:4000/app/');
    browserOnline(true);
    requestMock.mockRejectedValueOnce(Object.assign(new Error('signal is aborted without reason'), { name: 'AbortError' }));
    expect(describeError(await failureOf())).toBe('网络不可用（请求超时），请稍后重试');
    process.env.TARO_ENV = 'weapp';
    requestMock.mockRejectedValueOnce({ errMsg: 'request:fail timeout' });
    expect(await failureOf()).toMatchObject({ kind: 'timeout' });
  });

  it('an answer that is not the API (an HTML page, a 404) is a wrong address; a 502 is the API for now unavailable', async () => {
    process.env.TARO_ENV = 'h5';
    pageAt('http://127.0.0.1:10086/');
    browserOnline(true);
    // Taro h5 hands over null when the body does not parse as JSON; weapp hands over the text.
    requestMock.mockResolvedValueOnce({ statusCode: 200, data: null, header: { 'content-type': 'text/html' }, errMsg: 'request:ok' });
    let failure = await failureOf();
    expect(failure).toMatchObject({ kind: 'not-api', apiBase: 'http://localhost:4000' });
    expect(describeError(failure)).toBe('服务器地址不对：http://localhost:4000 的回答不是万家的接口');
    requestMock.mockResolvedValueOnce({ statusCode: 404, data: '<html>Not Found</html>', header: {}, errMsg: 'request:ok' });
    expect(await failureOf()).toMatchObject({ kind: 'not-api' });
    requestMock.mockResolvedValueOnce({ statusCode: 502, data: '<html>502 Bad Gateway</html>', header: {}, errMsg: 'request:ok' });
    failure = await failureOf();
    expect(failure).toMatchObject({ kind: 'no-verdict' });
    expect(describeError(failure)).toBe('服务暂不可用，请稍后重试');
  });

  it('in WeChat, a plain failure is no signal, a refused connection or a domain not allowed is the address', async () => {
    process.env.TARO_ENV = 'weapp';
    requestMock.mockRejectedValueOnce({ errMsg: 'request:fail' });
    expect(describeError(await failureOf())).toBe('网络不可用，请稍后重试');
    requestMock.mockRejectedValueOnce({ errMsg: 'request:fail -102:net::ERR_CONNECTION_REFUSED' });
    expect(await failureOf()).toMatchObject({ kind: 'unreachable' });
    requestMock.mockRejectedValueOnce({ errMsg: 'request:fail url not in domain list' });
    expect(await failureOf()).toMatchObject({ kind: 'unreachable' });
  });
});

describe('a refusal as a cadre reads it', () => {
  it('says in Chinese what a refused field means, indexes ignored; the server’s words only where the app knows none', async () => {
    const { ApiError, refusalText } = await import('@/services/errors');
    const refused = (field: string | undefined, code = 'BAD_USER_INPUT') => new ApiError({ message: 'server words', extensions: { code, field } });
    expect(refusalText(refused('input.resolvedDemandIds'))).toMatch(/^所选诉求已不能由这次走访解决/);
    expect(refusalText(refused('input.demandsRaised.3.text'))).toMatch(/^诉求内容请填写/);
    expect(refusalText(refused(undefined, 'CONFLICT'))).toMatch(/^记录已被更改/);
    expect(refusalText(refused('input.somethingNew'))).toBe('server words');
  });
});

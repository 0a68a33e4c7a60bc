import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for WeChat's code2session (the one outside service we fake). A code `code-<openid>`
 * answers that openid once; any other code, or a code used twice, answers errcode 40029 / 40163 as
 * WeChat does. It also checks the app id and secret it was configured with.
 */
export interface FakeWechat {
  baseUrl: string;
  appId: string;
  appSecret: string;
  requests: URL[];
  close(): Promise<void>;
}

export async function startFakeWechat(appId = 'wx-test-app', appSecret = 'test-secret'): Promise<FakeWechat> {
  const used = new Set<string>();
  const requests: URL[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake-wechat');
    requests.push(url);
    const send = (body: object) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(body));
    };
    if (url.pathname !== '/sns/jscode2session') {
      response.statusCode = 404;
      return send({ errcode: -1, errmsg: 'not found' });
    }
    if (url.searchParams.get('appid') !== appId || url.searchParams.get('secret') !== appSecret) {
      return send({ errcode: 40125, errmsg: 'invalid appsecret' });
    }
    const code = url.searchParams.get('js_code') ?? '';
    if (used.has(code)) return send({ errcode: 40163, errmsg: 'code been used' });
    if (!code.startsWith('code-')) return send({ errcode: 40029, errmsg: 'invalid code' });
    used.add(code);
    return send({ openid: code.slice('code-'.length).replace(/-\d+$/, ''), session_key: 'not-used-by-the-server' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    appId,
    appSecret,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

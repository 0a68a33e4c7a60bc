import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for WeChat's HTTP API (the one outside service we fake):
 * - code2session (/sns/jscode2session): a code `code-<openid>` answers that openid once; any other
 *   code, or a code used twice, answers errcode 40029 / 40163 as WeChat does;
 * - access tokens (/cgi-bin/token): each call issues a new token (valid `tokenTtlSeconds`), the
 *   previous ones stay valid (WeChat's five-minute overlap) until `expireTokens()`;
 * - subscribe messages (/cgi-bin/message/subscribe/send): checks the token (40001 / 42001 when expired),
 *   records what it accepted in `sent`, and fails as programmed: `failNext(n, errcode | 'http500' |
 *   'hang')`, `refuseUser(openid)` (43101), `quotaExceeded(n)` (45009).
 * It checks the app id and secret it was configured with.
 */
export type FakeFailure = number | 'http500' | 'hang';

export interface SentMessage {
  touser: string;
  template_id: string;
  page: string;
  data: Record<string, { value: string }>;
  token: string;
}

export interface FakeWechat {
  baseUrl: string;
  appId: string;
  appSecret: string;
  requests: URL[];
  /** Messages WeChat accepted (errcode 0), in order. */
  sent: SentMessage[];
  /** How many times /cgi-bin/token issued a token. */
  tokensIssued(): number;
  /** The next n sends fail this way (before any other check). */
  failNext(times: number, failure: FakeFailure): void;
  /** This openid has no subscription left: 43101 for every send to it. */
  refuseUser(openid: string): void;
  /** Every token issued so far answers 42001 from now on. */
  expireTokens(): void;
  /** Every token issued so far answers 40001 (replaced elsewhere) from now on. */
  invalidateTokens(): void;
  /** This one token answers 40001 from now on (its successor's five minutes of overlap are over). */
  invalidateToken(token: string): void;
  close(): Promise<void>;
}

export async function startFakeWechat(appId = 'wx-test-app', appSecret = 'test-secret'): Promise<FakeWechat> {
  const used = new Set<string>();
  const requests: URL[] = [];
  const sent: SentMessage[] = [];
  const tokens = new Map<string, 'valid' | 'expired' | 'invalid'>();
  const refused = new Set<string>();
  const failures: FakeFailure[] = [];
  let issued = 0;
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake-wechat');
    requests.push(url);
    const send = (body: object) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/sns/jscode2session') {
      if (url.searchParams.get('appid') !== appId || url.searchParams.get('secret') !== appSecret) {
        return send({ errcode: 40125, errmsg: 'invalid appsecret' });
      }
      const code = url.searchParams.get('js_code') ?? '';
      if (used.has(code)) return send({ errcode: 40163, errmsg: 'code been used' });
      if (!code.startsWith('code-')) return send({ errcode: 40029, errmsg: 'invalid code' });
      used.add(code);
      return send({ openid: code.slice('code-'.length).replace(/-\d+$/, ''), session_key: 'not-used-by-the-server' });
    }
    if (url.pathname === '/cgi-bin/token') {
      if (url.searchParams.get('grant_type') !== 'client_credential') return send({ errcode: 40002, errmsg: 'invalid grant_type' });
      if (url.searchParams.get('appid') !== appId || url.searchParams.get('secret') !== appSecret) {
        return send({ errcode: 40125, errmsg: 'invalid appsecret' });
      }
      issued += 1;
      const token = `fake-token-${issued}`;
      tokens.set(token, 'valid');
      return send({ access_token: token, expires_in: 7200 });
    }
    if (url.pathname === '/cgi-bin/message/subscribe/send' && request.method === 'POST') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const failure = failures.shift();
        if (failure === 'hang') {
          hanging.add(response);
          return;
        }
        if (failure === 'http500') {
          response.statusCode = 500;
          return response.end('internal error');
        }
        if (typeof failure === 'number') return send({ errcode: failure, errmsg: `fake failure ${failure}` });
        const token = url.searchParams.get('access_token') ?? '';
        const state = tokens.get(token);
        if (state === undefined || state === 'invalid') return send({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
        if (state === 'expired') return send({ errcode: 42001, errmsg: 'access_token expired' });
        let message: Omit<SentMessage, 'token'>;
        try {
          message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<SentMessage, 'token'>;
        } catch {
          return send({ errcode: 47001, errmsg: 'data format error' });
        }
        if (!message.touser || !message.template_id || !message.data) return send({ errcode: 47003, errmsg: 'argument invalid' });
        if (refused.has(message.touser)) return send({ errcode: 43101, errmsg: 'user refuse to accept the msg' });
        sent.push({ ...message, token });
        return send({ errcode: 0, errmsg: 'ok', msgid: sent.length });
      });
      return;
    }
    response.statusCode = 404;
    return send({ errcode: -1, errmsg: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const mark = (state: 'expired' | 'invalid') => {
    for (const token of tokens.keys()) tokens.set(token, state);
  };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    appId,
    appSecret,
    requests,
    sent,
    tokensIssued: () => issued,
    failNext: (times, failure) => failures.push(...Array.from({ length: times }, () => failure)),
    refuseUser: (openid) => refused.add(openid),
    expireTokens: () => mark('expired'),
    invalidateTokens: () => mark('invalid'),
    invalidateToken: (token) => void (tokens.has(token) && tokens.set(token, 'invalid')),
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

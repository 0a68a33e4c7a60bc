import http from 'node:http';

/**
 * A GraphQL POST sent in two halves: the headers and the first half of the body now, the rest when
 * the test says. Between the two the request is certainly in flight at the server (it has parsed
 * the headers and waits for the body), which is what a graceful shutdown must finish.
 */
export interface HeldRequest {
  /** Sends the rest of the body. */
  release(): void;
  /** The complete answer, or the error that ended the exchange (a hang-up is a failure of the server). */
  answer: Promise<{ status: number; body: string } | { error: string }>;
}

export function holdRequest(url: string, query: string, variables: Record<string, unknown>, accessToken: string): Promise<HeldRequest> {
  const payload = Buffer.from(JSON.stringify({ query, variables }));
  const half = Math.floor(payload.length / 2);
  const target = new URL('/graphql', url);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': payload.length, authorization: `Bearer ${accessToken}` },
    });
    const answer = new Promise<{ status: number; body: string } | { error: string }>((settle) => {
      request.once('response', (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.once('end', () => settle({ status: response.statusCode ?? 0, body }));
        response.once('error', (error) => settle({ error: String(error) }));
      });
      request.once('error', (error) => settle({ error: String(error) }));
    });
    // Failing to connect at all is the caller's problem, not an answer (settled above as well).
    request.once('error', reject);
    request.once('socket', (socket) => {
      const connected = () => {
        request.write(payload.subarray(0, half), (error) => {
          if (error) reject(error);
          else resolve({ release: () => request.end(payload.subarray(half)), answer });
        });
      };
      if (socket.connecting) socket.once('connect', connected);
      else connected();
    });
    request.flushHeaders();
  });
}

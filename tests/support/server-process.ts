import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/**
 * The built server, started as a newcomer starts it: `node server/dist/main.js` from the repository root.
 * `WANJIA_SERVER_ROOT` points at another checkout's build instead (the probe suite runs against an older
 * commit that way, to show which probes the old code fails).
 */
export const REPOSITORY_ROOT = path.resolve(process.env.WANJIA_SERVER_ROOT?.trim() || path.resolve(__dirname, '..', '..'));
export const SERVER_ENTRY = path.join(REPOSITORY_ROOT, 'server', 'dist', 'main.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the server with the given environment and waits until /readyz answers (or the process dies).
 * On a free port of its own, unless the environment names one (PORT): an instance restarted behind a
 * proxy comes back where the proxy expects it.
 */
export async function startServer(environment: Record<string, string>, timeoutMs = 90_000): Promise<ServerProcess> {
  const port = environment.PORT ? Number(environment.PORT) : await freePort();
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...environment, PORT: String(port) },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void exited.then(() => (dead = true));
  while (!dead && Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (dead) throw new Error(`server exited during start-up:\n${output}`);
  if (Date.now() >= deadline) {
    child.kill('SIGKILL');
    throw new Error(`server was not ready within ${timeoutMs} ms:\n${output}`);
  }
  return {
    child,
    url,
    output: () => output,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function graphql<T>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  accessToken?: string,
): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

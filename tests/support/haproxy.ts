import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, REPOSITORY_ROOT } from './server-process';

/** The configuration the repository ships (deploy/README.md); the tests run this very file. */
export const HAPROXY_CONFIG = path.join(REPOSITORY_ROOT, 'deploy', 'haproxy', 'wanjia.cfg');
export const HAPROXY_BACKEND = 'wanjia_api';
/** The server names in the shipped file, in order: the instance at WANJIA_API_<n> is api<n>. */
export const HAPROXY_SERVERS = ['api1', 'api2', 'api3'] as const;

/** One row of `show stat` for a server of the backend: its state and how many requests it took. */
export interface BackendServerState {
  name: string;
  /** UP, DOWN, "UP 1/2" (going down), "DOWN 1/2" (coming up), MAINT, NOLB… */
  status: string;
  /** Sessions (requests, with keep-alive off) it was given in all. */
  sessionsTotal: number;
  /** Requests redispatched away from it after a failed connection. */
  redispatched: number;
  /** Failed connection attempts to it. */
  connectionErrors: number;
}

export interface HaproxyProcess {
  child: ChildProcessWithoutNullStreams;
  /** Where clients reach the API through the proxy. */
  url: string;
  socketPath: string;
  output(): string;
  /** The backend's servers as HAProxy sees them now (its admin socket's `show stat`). */
  servers(): Promise<Map<string, BackendServerState>>;
  stop(): Promise<void>;
}

/**
 * Starts Debian's HAProxy with the repository's deploy/haproxy/wanjia.cfg as the test's own process
 * (foreground, `-db`), its listening address, instances and admin socket given through the variables
 * the file reads. Resolves once it listens and answers on its admin socket.
 */
export async function startHaproxy(instances: readonly string[], { binary = '/usr/sbin/haproxy' } = {}): Promise<HaproxyProcess> {
  if (instances.length !== HAPROXY_SERVERS.length)
    throw new Error(`the shipped configuration has ${HAPROXY_SERVERS.length} instances, not ${instances.length}`);
  const port = await freePort();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-haproxy-'));
  const socketPath = path.join(directory, 'admin.sock');
  const environment: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    WANJIA_PROXY_BIND: `127.0.0.1:${port}`,
    WANJIA_HAPROXY_SOCKET: socketPath,
    ...Object.fromEntries(instances.map((address, index) => [`WANJIA_API_${index + 1}`, address])),
  };
  const child = spawn(binary, ['-f', HAPROXY_CONFIG, '-db'], { cwd: directory, env: environment });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let dead = false;
  void exited.then(() => (dead = true));

  const servers = async (): Promise<Map<string, BackendServerState>> => parseShowStat(await adminCommand(socketPath, 'show stat'));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (dead) throw new Error(`haproxy exited during start-up:\n${output}`);
    try {
      await servers();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`haproxy did not answer on its admin socket within 15 s (${String(error)}):\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    socketPath,
    output: () => output,
    servers,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** One command on HAProxy's admin socket (non-interactive: it answers and closes). */
export function adminCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = net.connect(socketPath, () => socket.write(`${command}\n`));
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer to "${command}" within 5 s`)));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** The backend's server rows of `show stat` (CSV with a "# " header). */
export function parseShowStat(csv: string): Map<string, BackendServerState> {
  const lines = csv.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0]?.replace(/^# /, '').split(',');
  if (!header) throw new Error(`not a show stat answer: ${csv.slice(0, 200)}`);
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`show stat has no column ${name}`);
    return index;
  };
  const states = new Map<string, BackendServerState>();
  for (const line of lines.slice(1)) {
    const fields = line.split(',');
    if (fields[column('pxname')] !== HAPROXY_BACKEND) continue;
    const name = fields[column('svname')]!;
    if (name === 'BACKEND' || name === 'FRONTEND') continue;
    states.set(name, {
      name,
      status: fields[column('status')]!,
      sessionsTotal: Number(fields[column('stot')]),
      redispatched: Number(fields[column('wredis')] || 0),
      connectionErrors: Number(fields[column('econ')] || 0),
    });
  }
  return states;
}

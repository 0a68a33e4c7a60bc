import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { MysqlTarget } from './common';
import { REPOSITORY_ROOT, type ServerName, type Settings } from './settings';

export interface Running {
  name: ServerName;
  child: ChildProcess;
  pid: number;
  url: string;
  output(): string;
  /** Set once the process exits; a benchmark run with a dead server is a crash. */
  exitCode: number | null | undefined;
  stop(): Promise<void>;
}

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

/** Spawns a server as its own node process (so its memory and CPU are its own) and waits for /readyz. */
export async function startProcess(name: ServerName, args: string[], environment: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const running: Running = {
    name,
    child,
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    exitCode: undefined,
    async stop() {
      if (running.exitCode !== undefined) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  child.once('exit', (code) => (running.exitCode = code));
  const deadline = Date.now() + 120_000;
  while (running.exitCode === undefined && Date.now() < deadline) {
    try {
      if ((await fetch(`${running.url}/readyz`)).ok) return running;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await running.stop();
  throw new Error(`${name} server did not become ready (exit ${running.exitCode}):\n${output}`);
}

/**
 * What both servers are told alike: the rate limits on, as production has them (counting every
 * request against its budgets, in memory or in BENCH_REDIS_URL's Redis), with the per-address write
 * budget raised because the whole load comes from one address (a real city's phones come from many).
 */
function sharedEnvironment(settings: Settings, database: MysqlTarget): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    JWT_SECRET: settings.secret,
    DB_POOL_MAX: String(settings.pool),
    RATE_LIMITS: 'true',
    RATE_LIMIT_WRITES_PER_ADDRESS: '100000000/60',
    ...(settings.redisUrl ? { REDIS_URL: settings.redisUrl } : {}),
  };
}

export function startOurs(settings: Settings, database: MysqlTarget): Promise<Running> {
  return startProcess('ours', [settings.serverMain], {
    ...sharedEnvironment(settings, database),
    DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    // Production's defaults: the safelist enforced (the benchmark sends the mini-program's persisted documents).
    NODE_ENV: 'production',
    RATE_LIMIT_KEY_PREFIX: `bench-ours-${process.pid}`,
    // The server counts its SQL statements and serves the count at /debug/sql-count when asked to.
    COUNT_SQL: 'true',
  });
}

export function startBaseline(settings: Settings, database: MysqlTarget): Promise<Running> {
  // `node --import tsx` keeps the baseline in one process (the tsx CLI would add a parent process).
  return startProcess('baseline', ['--import', 'tsx', path.join(__dirname, 'baseline-server.ts')], {
    ...sharedEnvironment(settings, database),
    RATE_LIMIT_KEY_PREFIX: `bench-baseline-${process.pid}`,
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPOSITORY_ROOT, freePort, graphql } from '../support/server-process';

/**
 * A newcomer's `pnpm account:create` once ran inside server/ and opened server/data/wanjia.sqlite, an
 * empty database beside the one `pnpm start` uses. Every command now runs node at the repository
 * root, so one relative SQLITE_PATH (the default `./data/wanjia.sqlite` among them) names one file for
 * all of them. Each root command is run here as pnpm runs a root script: its command line through sh,
 * in the root, with the arguments appended; the build steps before `&&` are left out (the suite runs
 * after `pnpm build`).
 */

interface Scripts {
  scripts: Record<string, string>;
}

const readScripts = (file: string) => (JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, file), 'utf8')) as Scripts).scripts;
const rootScripts = readScripts('package.json');
const ADMIN_PASSWORD = 'root-commands-password-1';

/** The node command a root script runs once the server is built. */
function rootCommand(name: string): string {
  const match = /^pnpm build:server(?: && pnpm build:[\w-]+)* && (node server\/dist\/\S+\.js.*)$/.exec(rootScripts[name] ?? '');
  if (!match) throw new Error(`root script ${name} should build the server, then run node on server/dist: "${rootScripts[name]}"`);
  return match[1]!;
}

describe('root commands and the server open one database', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-root-commands-'));
  // Relative, as the default is: resolved from wherever each command runs.
  const sqlitePath = path.relative(REPOSITORY_ROOT, path.join(folder, 'wanjia.sqlite'));
  const photoDir = path.relative(REPOSITORY_ROOT, path.join(folder, 'photos'));
  const environment = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', SQLITE_PATH: sqlitePath, PHOTO_DIR: photoDir };
  const run = (name: string, args: string[], extra: Record<string, string> = {}) =>
    spawnSync('sh', ['-c', `${rootCommand(name)} ${args.join(' ')}`], { cwd: REPOSITORY_ROOT, env: { ...environment, ...extra }, encoding: 'utf8' });

  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('`pnpm start` builds what the server needs (and the cadre app once), and every root command runs node at the root', () => {
    // The server, and the IDE's page script (a browser program with its own compiler settings).
    expect(rootScripts['build:server']).toBe('tsc -b server/tsconfig.build.json && tsc -p server/src/playground/ide-client/tsconfig.json');
    expect(rootScripts.start).toBe('pnpm build:server && pnpm build:cadre-app && node server/dist/main.js');
    for (const name of ['start', 'db:migrate', 'db:seed', 'demo:figures', 'region:create-root', 'account:create', 'account:unlock', 'account:reset-password']) {
      expect(rootCommand(name)).toMatch(/^node server\/dist\//);
    }
    // The server package's own commands change to the root first, so `pnpm --filter @wanjia/server …` agrees too.
    const serverScripts = readScripts('server/package.json');
    const runningNode = Object.entries(serverScripts).filter(([, command]) => /\bnode\b.*dist\//.test(command));
    expect(runningNode.length).toBeGreaterThan(3);
    for (const [, command] of runningNode) expect(command).toMatch(/^cd \.\. && node server\/dist\//);
  });

  it('an account made with `pnpm account:create` signs in on the server `pnpm start` runs, and `pnpm demo:figures` counts its data', async () => {
    expect(path.isAbsolute(sqlitePath)).toBe(false);
    const port = await freePort();
    const server = spawn('sh', ['-c', `exec ${rootCommand('start')}`], { cwd: REPOSITORY_ROOT, env: { ...environment, PORT: String(port) } });
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    try {
      const deadline = Date.now() + 180_000;
      for (;;) {
        if (server.exitCode !== null) throw new Error(`the server exited during start-up:\n${output}`);
        if (Date.now() > deadline) throw new Error(`the server was not ready in time:\n${output}`);
        const ready = await fetch(`${url}/readyz`).then(
          (response) => response.ok,
          () => false,
        );
        if (ready) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }

      // 210500000000 is the demo data's city: it exists only in the database the server filled.
      const created = run('account:create', ['root-commands-admin', 'ADMIN', '210500000000'], { WANJIA_PASSWORD: ADMIN_PASSWORD });
      expect({ status: created.status, stderr: created.stderr }).toEqual({ status: 0, stderr: '' });
      const signIn = await graphql<{ login: { accessToken: string } }>(
        url,
        `mutation { login(username: "root-commands-admin", password: "${ADMIN_PASSWORD}") { accessToken } }`,
      );
      expect(signIn.errors).toBeUndefined();
      expect(signIn.data!.login.accessToken).toEqual(expect.any(String));

      const figures = run('demo:figures', []);
      expect(figures.status).toBe(0);
      expect(figures.stdout).toContain(`SQLite at ${path.join(folder, 'wanjia.sqlite')}`);
      expect(figures.stdout).toMatch(/^households\s+1000\b/m);
      expect(figures.stdout).toMatch(/^accounts\s+7\b/m);
    } finally {
      if (server.exitCode === null) server.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(fs.existsSync(path.join(folder, 'wanjia.sqlite'))).toBe(true);
    // Nothing was opened relative to server/, where the commands once ran.
    expect(fs.existsSync(path.resolve(REPOSITORY_ROOT, 'server', sqlitePath))).toBe(false);
  }, 240_000);
});

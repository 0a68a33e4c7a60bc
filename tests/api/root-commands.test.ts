import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { idNumberCheckCharacter } from '@wanjia/shared';
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
    // The server, the IDE's page script and the import desk's (browser programs with their own compiler settings).
    expect(rootScripts['build:server']).toBe(
      'tsc -b server/tsconfig.build.json && tsc -p server/src/playground/ide-client/tsconfig.json && tsc -p server/src/playground/import-desk/client/tsconfig.json',
    );
    expect(rootScripts.start).toBe('pnpm build:server && pnpm build:cadre-app && node server/dist/main.js');
    for (const name of [
      'start',
      'db:migrate',
      'db:seed',
      'demo:figures',
      'region:create-root',
      'account:create',
      'account:unlock',
      'account:reset-password',
      'import',
    ]) {
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

      // `pnpm run import` (a server operator's screening list): the dry run and the commit with a progress
      // bar on stderr, the counts on stdout, the household there for the server to answer.
      const admin = signIn.data!.login.accessToken;
      const places = await graphql<{ households: { nodes: { region: { code: string } }[] } }>(
        url,
        '{ households(first: 100) { nodes { region { code } } } }',
        {},
        admin,
      );
      const village = places.data!.households.nodes.map((node) => node.region).find((region) => region.code.startsWith('210502'))!;
      const { householdsKind } = require(path.join(REPOSITORY_ROOT, 'server/dist/modules/imports/kinds/households.kind.js')) as {
        householdsKind: (settings: { elsewherePerDay: number; now: () => Date }) => { columns: { key: string; header: string }[] };
      };
      const columns = householdsKind({ elsewherePerDay: 10, now: () => new Date() }).columns;
      const idOf = (birth: string, order: string) => {
        const first17 = `210502${birth.replace(/-/g, '')}${order}`;
        return first17 + idNumberCheckCharacter(first17);
      };
      const member = (values: Record<string, string>) => columns.map((column) => values[column.key] ?? '').join(',');
      const household = { headName: '命令行', headIdNumber: idOf('1960-03-04', '123'), address: '命令行路1号', region: village.code, targetGroups: '困难家庭' };
      const csv = [
        columns.map((column) => column.header).join(','),
        member({ ...household, name: '命令行', relation: '户主', idNumber: idOf('1960-03-04', '123') }),
        member({ ...household, name: '命令行子', relation: '子女', idNumber: idOf('1990-05-06', '135') }),
      ].join('\r\n');
      const file = path.join(folder, '排查名单.csv');
      fs.writeFileSync(file, `\uFEFF${csv}\r\n`);
      const imported = run('import', ['HOUSEHOLDS', JSON.stringify(file), '--account', 'pingshan-admin', '--commit']);
      expect({ status: imported.status, stdout: imported.stdout }).toEqual({ status: 0, stdout: expect.stringMatching(/COMMITTED[\s\S]*created 2\b/) });
      expect(imported.stderr).toMatch(/checking +\[=+\] 2\/2 rows[\s\S]*importing +\[=+\] 2\/2 rows/);
      const found = await graphql<{ households: { nodes: { headName: string; residents: { name: string }[] }[] } }>(
        url,
        '{ households(filter: { search: "命令行路1号" }) { nodes { headName residents { name } } } }',
        {},
        admin,
      );
      expect(found.data!.households.nodes).toEqual([{ headName: '命令行', residents: [{ name: '命令行' }, { name: '命令行子' }] }]);

      const figures = run('demo:figures', []);
      expect(figures.status).toBe(0);
      expect(figures.stdout).toContain(`SQLite at ${path.join(folder, 'wanjia.sqlite')}`);
      expect(figures.stdout).toMatch(/^households\s+1001\b/m);
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

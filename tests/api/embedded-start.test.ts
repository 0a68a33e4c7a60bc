import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPOSITORY_ROOT, SERVER_ENTRY, graphql, startServer, type ServerProcess } from '../support/server-process';

async function signIn(server: ServerProcess): Promise<string> {
  const body = await graphql<{ login: { accessToken: string } }>(
    server.url,
    'mutation { login(username: "admin", password: "wanjia-admin-demo") { accessToken } }',
  );
  return body.data!.login.accessToken;
}

/**
 * What a newcomer gets from the README's start command: the built server on an embedded database,
 * filled with demo data on first start, keeping what was written across restarts.
 */
describe('the server on its embedded database', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-embedded-'));
  const sqlitePath = path.join(folder, 'nested', 'wanjia.sqlite');

  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  it("starts with demo data, answers Benxi's six districts and counties, and stops cleanly on SIGTERM", async () => {
    const server = await startServer({ SQLITE_PATH: sqlitePath });
    try {
      const anonymous = await graphql(server.url, '{ regions { name } }');
      expect(anonymous.errors![0]!.message).toBe('Sign in first');
      const token = await signIn(server);
      const top = await graphql<{ regions: { id: string; name: string }[] }>(server.url, '{ regions { id name } }', undefined, token);
      expect(top.data!.regions.map((region) => region.name)).toEqual(['本溪市']);
      const children = await graphql<{ regions: { name: string }[] }>(
        server.url,
        'query ($id: ID) { regions(parentId: $id) { name } }',
        {
          id: top.data!.regions[0]!.id,
        },
        token,
      );
      expect(children.data!.regions.map((region) => region.name)).toEqual(['平山区', '溪湖区', '明山区', '南芬区', '本溪满族自治县', '桓仁满族自治县']);
      expect(server.output()).toContain('admin / wanjia-admin-demo');
      // The cadres' side is found from the start banner: the h5 app this server serves.
      expect(server.output()).toMatch(/Cadre app \(h5\): .*http:\/\/localhost:\d+\/app\//);
      expect(fs.existsSync(sqlitePath)).toBe(true);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  });

  it('keeps what was written on restart and does not seed twice', async () => {
    const Database = require(require.resolve('better-sqlite3', { paths: [path.join(REPOSITORY_ROOT, 'server')] })) as new (file: string) => {
      prepare(sql: string): { get(): Record<string, number>; run(...args: unknown[]): unknown };
      close(): void;
    };
    const before = new Database(sqlitePath);
    before.prepare("update region set name = '本溪市（已改名）' where code = '210500000000'").run();
    const households = before.prepare('select count(*) as n from household').get().n;
    before.close();

    const server = await startServer({ SQLITE_PATH: sqlitePath });
    try {
      const top = await graphql<{ regions: { name: string }[] }>(server.url, '{ regions { name } }', undefined, await signIn(server));
      expect(top.data!.regions.map((region) => region.name)).toEqual(['本溪市（已改名）']);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
    const after = new Database(sqlitePath);
    expect(after.prepare('select count(*) as n from household').get().n).toBe(households);
    expect(after.prepare('select count(*) as n from region where depth = 0').get().n).toBe(1);
    after.close();
  });

  it('refuses to start on a bad setting and names the variable', () => {
    const result = spawnSync(process.execPath, [SERVER_ENTRY], {
      cwd: REPOSITORY_ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: 'not-a-port', SQLITE_PATH: sqlitePath },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('PORT: must be a port number');
  });
});

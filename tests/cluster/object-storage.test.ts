import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import sharp from 'sharp';
import { idNumberCheckCharacter } from '@wanjia/shared';
import { startS3rver, type RunningS3rver } from '../../server/test/support/s3rver';
import { dropMysqlDatabase, scratchMysqlDatabase } from '../support/bad-input-database';
import { LOCAL_DEFAULT_MYSQL_URL } from '../support/mysql';
import { graphql, startServer, type ServerProcess } from '../support/server-process';

/**
 * Shared storage across instances (issue 17): two BUILT servers on one MariaDB database and one
 * S3-compatible bucket (s3rver, started here), each with a PHOTO_DIR and an IMPORT_DIR of its own. A photo
 * uploaded through A as the mini-program sends it is served by B (the photo and its thumbnail, to its
 * uploader only); a spreadsheet uploaded through A is dry-run by B after A is killed in the middle of its
 * own dry run (B's import-resume job takes it up from the bucket), then confirmed and its report
 * downloaded through B.
 */

const JWT_SECRET = 'object-storage-cluster-test-secret-0123456789abcdef';
const mysqlUrl = (process.env.TEST_DATABASE_URL ?? '').trim() || LOCAL_DEFAULT_MYSQL_URL;
/** Rows of the spreadsheet: enough that A's dry run is still under way (a batch is 1,000 rows) when it is killed. */
const ROWS = 12_000;
/** Of them, rows that pass (the rest carry an ID number with a wrong check digit): the commit writes these. */
const GOOD_ROWS = 3;

let s3rver: RunningS3rver;
let databaseUrl: string;
let folder: string;
let a: ServerProcess;
let b: ServerProcess;

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function answer<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const result = await graphql<T>(url, query, variables, token);
  if (!result.data) throw new Error(`the API answered ${JSON.stringify(result.errors)} to ${query.slice(0, 80)}`);
  return result.data;
}

async function devSignIn(url: string, cadreId: string): Promise<string> {
  return (
    await answer<{ developmentSignIn: { accessToken: string } }>(url, 'mutation ($id: ID!) { developmentSignIn(cadreId: $id) { accessToken } }', {
      id: cadreId,
    })
  ).developmentSignIn.accessToken;
}

/** The files a folder holds, recursively. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-storage-cluster-'));
  s3rver = await startS3rver('wanjia-cluster');
  databaseUrl = await scratchMysqlDatabase(mysqlUrl, 'storage_cluster');
  const shared = {
    DATABASE_URL: databaseUrl,
    DEMO_DATA: 'true',
    DB_POOL_MAX: '4',
    JWT_SECRET,
    DEV_SIGN_IN: 'true',
    LOG_LEVEL: 'warn',
    OBJECT_STORAGE_URL: 's3://wanjia-cluster/instances',
    OBJECT_STORAGE_ENDPOINT: s3rver.endpoint,
    OBJECT_STORAGE_REGION: 'us-east-1',
    OBJECT_STORAGE_ACCESS_KEY_ID: 'S3RVER',
    OBJECT_STORAGE_SECRET_ACCESS_KEY: 'S3RVER',
    OBJECT_STORAGE_FORCE_PATH_STYLE: 'true',
  };
  // A first (it makes the schema and the demo data), then B on the same database. Only B runs the
  // scheduled jobs: A is killed below, and a job lease it held would keep B waiting.
  a = await startServer(
    { ...shared, PHOTO_DIR: path.join(folder, 'a', 'photos'), IMPORT_DIR: path.join(folder, 'a', 'imports'), JOBS_ENABLED: 'false' },
    120_000,
  );
  b = await startServer(
    { ...shared, PHOTO_DIR: path.join(folder, 'b', 'photos'), IMPORT_DIR: path.join(folder, 'b', 'imports'), JOBS_ENABLED: 'true', JOBS_INTERVAL_SECONDS: '5' },
    120_000,
  );
}, 300_000);

afterAll(async () => {
  await a?.stop('SIGKILL');
  await b?.stop();
  await s3rver?.stop();
  if (databaseUrl) await dropMysqlDatabase(databaseUrl);
  fs.rmSync(folder, { recursive: true, force: true });
});

it('serves a photo uploaded through instance A from instance B: the photo and its thumbnail to its uploader, to no other cadre', async () => {
  const { developmentCadres: cadres } = await answer<{ developmentCadres: { id: string }[] }>(a.url, '{ developmentCadres { id } }');
  const uploader = await devSignIn(a.url, cadres[0]!.id);
  // What Taro.uploadFile sends: multipart, the picture in the field "file", the cadre's bearer token.
  const picture = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#3a7d44' } })
    .jpeg()
    .toBuffer();
  const form = new FormData();
  form.append('file', new Blob([picture], { type: 'image/jpeg' }), 'visit.jpg');
  const uploaded = await fetch(`${a.url}/uploads/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${uploader}` } });
  expect(uploaded.status).toBe(201);
  const { id } = (await uploaded.json()) as { id: string };

  const photo = await fetch(`${b.url}/photos/${id}`, { headers: { authorization: `Bearer ${uploader}` } });
  expect(photo.status).toBe(200);
  expect(photo.headers.get('content-type')).toBe('image/jpeg');
  // Content-addressed: the bytes B serves are the ones A stored.
  expect(sha256(Buffer.from(await photo.arrayBuffer()))).toBe(id);
  const thumbnail = await fetch(`${b.url}/photos/${id}/thumbnail`, { headers: { authorization: `Bearer ${uploader}` } });
  expect(thumbnail.status).toBe(200);
  expect(await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata()).toMatchObject({ format: 'jpeg', width: 320, height: 240 });

  // The same authorization on B: another cadre hears the 404 of a photo that does not exist; no token, 401.
  const other = await devSignIn(b.url, cadres[1]!.id);
  for (const url of [`${b.url}/photos/${id}`, `${b.url}/photos/${id}/thumbnail`]) {
    const refused = await fetch(url, { headers: { authorization: `Bearer ${other}` } });
    expect({ status: refused.status, body: await refused.json() }).toEqual({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such photo' } } });
    expect((await fetch(url)).status).toBe(401);
  }
  // Nothing on either instance's disk: the photo is in the bucket only.
  expect([...filesUnder(path.join(folder, 'a', 'photos')), ...filesUnder(path.join(folder, 'b', 'photos'))]).toEqual([]);
});

it('has a spreadsheet uploaded through A dry-run by B once A died mid-check, then confirmed and its report downloaded through B', async () => {
  const admin = (
    await answer<{ login: { accessToken: string } }>(a.url, 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }', {
      u: 'pingshan-admin',
      p: 'wanjia-pingshan-demo',
    })
  ).login.accessToken;
  const village = await firstVillage(a.url, admin);
  const header = ['户主姓名', '地址', '所在村(社区)', '帮扶类别', '姓名', '与户主关系', '身份证号'];
  const lines = [header.join(',')];
  for (let index = 0; index < ROWS; index += 1) {
    const birth = new Date(Date.UTC(1950, 0, 1) + index * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
    const first17 = `210502${birth}${String(index % 1000).padStart(3, '0')}`;
    const right = idNumberCheckCharacter(first17);
    // All but the first few carry a wrong check digit: refused by the check, so the commit stays small.
    const idNumber = `${first17}${index < GOOD_ROWS ? right : right === '0' ? '1' : '0'}`;
    lines.push([`桶户${index}`, `桶路${index}号`, village, '困难家庭', `桶户${index}`, '户主', idNumber].join(','));
  }
  const bytes = Buffer.from(`${lines.join('\r\n')}\r\n`);

  const form = new FormData();
  form.append('kind', 'HOUSEHOLDS');
  form.append('file', new Blob([bytes]), '桶.csv');
  const uploaded = await fetch(`${a.url}/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${admin}` } });
  expect(uploaded.status).toBe(201);
  const { id } = (await uploaded.json()) as { id: string };

  // A has begun the dry run (a batch stored) when it is killed: its lease is left behind, its work half done.
  const view = (url: string) =>
    answer<{
      dataImport: { state: string; rowsDone: number; failure: string | null; counts: { rows: number; ready: number; refused: number; created: number } };
    }>(url, 'query ($id: ID!) { dataImport(id: $id) { state rowsDone failure counts { rows ready refused created } } }', { id }, admin).then(
      (data) => data.dataImport,
    );
  for (;;) {
    const seen = await view(b.url);
    if (seen.state === 'CHECKING' && seen.rowsDone > 0) break;
    if (seen.state !== 'UPLOADED' && seen.state !== 'CHECKING') throw new Error(`A's dry run ended (${seen.state}) before A was killed: make ROWS larger`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await a.stop('SIGKILL');
  // The lease A held lapses after two minutes; the test stands for that wait by ending it in the database.
  const connection = await mysql.createConnection(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  try {
    await connection.execute('update data_import set lease_until = ? where id = ?', [new Date(Date.now() - 1000), Number(id)]);
  } finally {
    await connection.end();
  }

  // B's import-resume job takes the import up and runs the dry run again, from the file in the bucket.
  let checked = await view(b.url);
  for (let waited = 0; checked.state !== 'CHECKED' && checked.state !== 'FAILED' && waited < 90_000; waited += 200) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    checked = await view(b.url);
  }
  expect(checked).toMatchObject({ state: 'CHECKED', failure: null, counts: { rows: ROWS, ready: GOOD_ROWS, refused: ROWS - GOOD_ROWS } });

  // The report is the file's own rows with a 问题 column: B reads the file from the bucket to make it.
  const report = await fetch(`${b.url}/imports/${id}/report.csv`, { headers: { authorization: `Bearer ${admin}` } });
  expect(report.status).toBe(200);
  const reportText = await report.text();
  expect(reportText).toContain('桶户0');
  expect(reportText.split(/\r?\n/).filter(Boolean)).toHaveLength(ROWS + 1);

  await answer(b.url, 'mutation ($input: CommitImportInput!) { commitImport(input: $input) { id } }', { input: { importId: id } }, admin);
  let committed = await view(b.url);
  for (let waited = 0; committed.state === 'COMMITTING' || committed.state === 'CHECKED'; waited += 200) {
    if (waited > 60_000) throw new Error(`the commit did not end: ${JSON.stringify(committed)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    committed = await view(b.url);
  }
  expect(committed).toMatchObject({ state: 'COMMITTED', counts: { created: GOOD_ROWS } });
  // B keeps no copy once its steps are done; what A left is the working copy of the read it was killed in.
  expect(filesUnder(path.join(folder, 'b', 'imports'))).toEqual([]);
  expect(filesUnder(path.join(folder, 'a', 'imports')).every((name) => name.startsWith('working-'))).toBe(true);
});

/** A village (or community) in the administrator's scope: the import's 所在村(社区) column names one by code. */
async function firstVillage(url: string, token: string): Promise<string> {
  type Level = { id: string; code: string; level: string };
  let level = (await answer<{ regions: Level[] }>(url, '{ regions { id code level } }', {}, token)).regions;
  for (let depth = 0; depth < 5; depth += 1) {
    const village = level.find((region) => region.level === 'VILLAGE' || region.level === 'COMMUNITY');
    if (village) return village.code;
    const next: Level[] = [];
    for (const region of level.slice(0, 3)) {
      next.push(...(await answer<{ regions: Level[] }>(url, 'query ($id: ID) { regions(parentId: $id) { id code level } }', { id: region.id }, token)).regions);
    }
    level = next;
  }
  throw new Error('no village in the administrator’s scope');
}

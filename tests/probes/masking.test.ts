import { Gender, idNumberCandidates, idNumberCheckCharacter } from '@wanjia/shared';
import { cadreToken, demoCadres, send, staffToken, startProbeServer, UNLIMITED_STAFF_COST, type ProbeServer } from './support/probe-server';

/**
 * Masking that can be undone (issue 11): an ID number is address code, birth date, sequence (its
 * parity the gender) and check character. Each probe reads every field of every resident a role can
 * reach through one path and counts the valid ID numbers that agree with all of it; a handful means
 * the masked number can be tried back, and the audited reveal means nothing. The fields asked are
 * whatever the schema offers (introspection), so a field added later is probed too.
 */

/** Fewer candidates than this after combining everything readable counts as rebuilt. */
const ENOUGH_CANDIDATES = 1000;

let server: ProbeServer;
let residentFields: string;

interface ResidentRead {
  name?: string;
  idNumber?: string | null;
  birthDate?: string | null;
  birthYear?: number | null;
  age?: number | null;
  gender?: string;
}

/** How many ID numbers agree with everything read about one person. */
function candidatesFor(resident: ResidentRead): number {
  const thisYear = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));
  let years: number[] | null = null;
  const narrow = (allowed: number[]) => (years = years ? years.filter((year) => allowed.includes(year)) : allowed);
  if (typeof resident.birthYear === 'number') narrow([resident.birthYear]);
  // An age in whole years allows two birth years, whatever its exact definition.
  if (typeof resident.age === 'number') narrow([thisYear - resident.age, thisYear - resident.age - 1]);
  const pattern = resident
    .idNumber!.replace(/[^0-9X*]/gi, '*')
    .padEnd(18, '*')
    .slice(0, 18);
  return idNumberCandidates({
    pattern,
    birthDate: resident.birthDate ?? null,
    birthYears: years,
    gender: resident.gender === 'MALE' ? Gender.MALE : resident.gender === 'FEMALE' ? Gender.FEMALE : null,
  });
}

/** The fewest candidates over the residents read (those with an ID number on file), with who it is. */
function weakest(residents: ResidentRead[]): { candidates: number; residents: number } {
  const withNumbers = residents.filter((resident) => typeof resident.idNumber === 'string');
  expect(withNumbers.length).toBeGreaterThan(0);
  return { candidates: Math.min(...withNumbers.map(candidatesFor)), residents: withNumbers.length };
}

function residentsIn(value: unknown): ResidentRead[] {
  if (Array.isArray(value)) return value.flatMap(residentsIn);
  if (!value || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  if (object.__typename === 'Resident') return [object as ResidentRead];
  return Object.values(object).flatMap(residentsIn);
}

beforeAll(async () => {
  server = await startProbeServer(UNLIMITED_STAFF_COST);
  const admin = await staffToken(server.url, 'admin');
  // Every scalar field of Resident that needs no argument: what any caller may ask for.
  const type = await send<{ __type: { fields: { name: string; args: unknown[]; type: { kind: string; ofType: { kind: string } | null } }[] } }>(
    server.url,
    '{ __type(name: "Resident") { fields { name args { name } type { kind ofType { kind } } } } }',
    {},
    { token: admin },
  );
  residentFields = [
    '__typename',
    ...type
      .json!.data!.__type.fields.filter(
        (field) => field.args.length === 0 && ['SCALAR', 'ENUM'].includes(field.type.kind === 'NON_NULL' ? field.type.ofType!.kind : field.type.kind),
      )
      .map((field) => field.name),
  ].join(' ');
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

test('masking: an analyst rebuilds ID numbers from the masked ID and the birth date beside it in the household list', async () => {
  const token = await staffToken(server.url, 'analyst');
  const answer = await send(server.url, `{ households(first: 100) { nodes { residents { ${residentFields} } } } }`, {}, { token });
  expect(answer.json?.errors).toBeUndefined();
  expect(weakest(residentsIn(answer.json?.data)).candidates).toBeGreaterThanOrEqual(ENOUGH_CANDIDATES);
});

test("masking: an analyst rebuilds ID numbers from the figures' drill-down to persons", async () => {
  const token = await staffToken(server.url, 'analyst');
  const answer = await send(server.url, `{ analyticsResidents(measure: KEY_FOCUS_PERSONS, first: 100) { nodes { ${residentFields} } } }`, {}, { token });
  expect(answer.json?.errors).toBeUndefined();
  expect(weakest(residentsIn(answer.json?.data)).candidates).toBeGreaterThanOrEqual(ENOUGH_CANDIDATES);
});

test("masking: a district administrator rebuilds ID numbers from a household's file without revealResident", async () => {
  const token = await staffToken(server.url, 'pingshan-admin');
  const list = await send<{ households: { nodes: { id: string }[] } }>(server.url, '{ households(first: 5) { nodes { id } } }', {}, { token });
  const residents: ResidentRead[] = [];
  for (const { id } of list.json!.data!.households.nodes) {
    const file = await send(server.url, `query ($id: ID!) { household(id: $id) { residents { ${residentFields} } } }`, { id }, { token });
    expect(file.json?.errors).toBeUndefined();
    residents.push(...residentsIn(file.json?.data));
  }
  expect(weakest(residents).candidates).toBeGreaterThanOrEqual(ENOUGH_CANDIDATES);
});

test('masking: a cadre rebuilds the ID numbers of the households it looks after without revealResident', async () => {
  const residents: ResidentRead[] = [];
  for (const cadre of (await demoCadres(server.url)).slice(0, 6)) {
    const token = await cadreToken(server.url, cadre.id);
    const mine = await send<{ myHouseholds: { nodes: { id: string }[] } }>(server.url, '{ myHouseholds(first: 20) { nodes { id } } }', {}, { token });
    for (const { id } of mine.json?.data?.myHouseholds.nodes ?? []) {
      const file = await send(server.url, `query ($id: ID!) { household(id: $id) { residents { ${residentFields} } } }`, { id }, { token });
      expect(file.json?.errors).toBeUndefined();
      residents.push(...residentsIn(file.json?.data));
    }
  }
  expect(weakest(residents).candidates).toBeGreaterThanOrEqual(ENOUGH_CANDIDATES);
});

test('masking: the masked ID number itself gives away the sequence and the check character', async () => {
  const token = await staffToken(server.url, 'analyst');
  const answer = await send<{ households: { nodes: { residents: { idNumber: string | null }[] }[] } }>(
    server.url,
    '{ households(first: 50) { nodes { residents { idNumber } } } }',
    {},
    { token },
  );
  const shown = answer
    .json!.data!.households.nodes.flatMap((node) => node.residents.map((resident) => resident.idNumber))
    .filter((value): value is string => !!value);
  expect(shown.length).toBeGreaterThan(0);
  // Beyond the six-digit address code nothing of the number is readable.
  expect(shown.filter((value) => /[0-9X]/i.test(value.slice(6)))).toEqual([]);
});

test('masking: a district administrator reads a changed birth date back from the audit trail', async () => {
  const token = await staffToken(server.url, 'pingshan-admin');
  const list = await send<{ households: { nodes: { id: string; version: number }[] } }>(
    server.url,
    '{ households(first: 1) { nodes { id version } } }',
    {},
    { token },
  );
  const household = list.json!.data!.households.nodes[0]!;
  const child = { name: '审计测试', relation: 'CHILD', gender: 'MALE', isPetitioner: false };
  const added = await send<{ addResident: { id: string } }>(
    server.url,
    'mutation ($h: ID!, $v: Int!, $input: ResidentInput!) { addResident(householdId: $h, householdVersion: $v, input: $input) { id } }',
    { h: household.id, v: household.version, input: { ...child, birthDate: '2015-03-02' } },
    { token },
  );
  expect(added.json?.errors).toBeUndefined();
  const resident = { id: added.json!.data!.addResident.id };
  const changed = await send(
    server.url,
    'mutation ($id: ID!, $v: Int!, $input: ResidentInput!) { updateResident(id: $id, householdVersion: $v, input: $input) { id } }',
    { id: resident.id, v: household.version + 1, input: { ...child, birthDate: '2015-07-21' } },
    { token },
  );
  expect(changed.json?.errors).toBeUndefined();
  const trail = await send(server.url, '{ auditEntries(first: 20, filter: { operation: "updateResident" }) { nodes { entityId changes } } }', {}, { token });
  expect(trail.text).toContain(`"entityId":"${resident.id}"`);
  for (const date of ['2015-03-02', '2015-07-21', '20150302', '20150721']) expect(trail.text).not.toContain(date);
});

/**
 * The duplicate-ID-number check as an oracle: 30 residents per createHousehold, each a candidate ID
 * number, answered with the index of the one already registered. The probe knows one registered
 * number (through the audited reveal, so that it has something to find) and sends it among 29 fresh
 * candidates again and again: a defended server names it at most its small daily budget of times,
 * then answers without comparing anything, and every named refusal is in the audit trail. Last in
 * the file: it spends the district administrator's budget.
 */
test('masking: a district administrator tests 30 candidate ID numbers per createHousehold, silently and without limit', async () => {
  const token = await staffToken(server.url, 'pingshan-admin');
  const admin = await staffToken(server.url, 'admin');
  const list = await send<{ households: { nodes: { region: { id: string }; residents: { id: string; idNumber: string | null }[] }[] } }>(
    server.url,
    '{ households(first: 20) { nodes { region { id } residents { id idNumber } } } }',
    {},
    { token },
  );
  const household = list.json!.data!.households.nodes.find((node) => node.residents.some((resident) => resident.idNumber))!;
  const target = household.residents.find((resident) => resident.idNumber)!;
  const revealed = await send<{ revealResident: { idNumber: string } }>(
    server.url,
    'mutation ($id: ID!) { revealResident(id: $id, reason: "探测：已登记的身份证号") { idNumber } }',
    { id: target.id },
    { token },
  );
  const known = revealed.json!.data!.revealResident.idNumber;
  const candidate = (sequence: number) => {
    const first17 = `${known.slice(0, 14)}${String(sequence).padStart(3, '0')}`;
    return first17 + idNumberCheckCharacter(first17);
  };
  const named: number[] = [];
  const ATTEMPTS = 8;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const residents = Array.from({ length: 30 }, (_, index) => ({
      name: `候选${index}`,
      relation: 'OTHER',
      gender: 'MALE',
      idNumber: index === 21 ? known : candidate(500 + attempt * 30 + index),
    }));
    const answer = await send(
      server.url,
      'mutation ($r: ID!, $residents: [ResidentInput!]!) { createHousehold(input: { regionId: $r, address: "探测路1号", headName: "探测", targetGroups: [HARDSHIP], residents: $residents }) { id } }',
      { r: household.region.id, residents },
      { token },
    );
    if (answer.json?.errors?.[0]?.extensions?.field === 'input.residents.21.idNumber') named.push(attempt);
  }
  const trail = await send<{ auditEntries: { totalCount: number } }>(
    server.url,
    '{ auditEntries(first: 1, filter: { operation: "refuseDuplicateIdNumber" }) { totalCount } }',
    {},
    { token: admin },
  );
  // A small budget a day, not one answer per request, and not one refusal the trail does not show.
  expect(named.length).toBeLessThanOrEqual(5);
  expect(named.length).toBeGreaterThan(0);
  expect(trail.json?.data?.auditEntries.totalCount ?? 0).toBe(named.length);
  expect(trail.text).not.toContain(known);
});

/**
 * The demand loop's part of the bad-input corpus (issue 15): illegal transitions, foreign units, due
 * dates in the past or too far ahead, oversize and control-character texts, malformed ids and clientIds.
 * Each gets a clear error naming the field (or CONFLICT naming the current status) and writes nothing;
 * bad-input.test.ts checks every table after each case.
 *
 * The objects are made through the API before the corpus runs (`discoverLoopFixtures`): a handler (联络员,
 * the demo's third cadre with a sign-in, designated for its own unit), a new household of the signed-in
 * cadre under that unit's region, and its demands in every state the cases need.
 */

/** What the loop's cases aim at; made by `discoverLoopFixtures`. */
export interface LoopFixtures {
  /** The handler's unit (in reach of the loop household) and two units that are not referral targets. */
  handlerUnitId: string;
  /** In reach (a city-level unit) but with no handler. */
  unitWithoutHandlerId: string;
  /** With a handler, but in another district than the household's: not in reach. */
  foreignUnitId: string;
  /** The signed-in cadre's new household and its demands: one OPEN with no referral, … */
  householdId: string;
  openDemandId: string;
  /** … one REFERRED (its referral PENDING), one IN_PROGRESS (ACCEPTED), one RESOLVED by the unit, one returned (OPEN again). */
  pending: { demandId: string; referralId: string };
  accepted: { demandId: string; referralId: string };
  resolved: { demandId: string; referralId: string };
  returned: { demandId: string; referralId: string };
  /** An active handler row (the handler's). */
  unitHandlerId: string;
  /** The clientId the cadre referred the pending demand with. */
  usedClientId: string;
}

export type LoopIdentity = 'cadre' | 'otherCadre' | 'handler' | 'admin';

export interface LoopRequest {
  as: LoopIdentity;
  query: string;
  variables: Record<string, unknown>;
}

export interface LoopCase {
  category: string;
  name: string;
  request: (loop: LoopFixtures) => LoopRequest;
  code: 'BAD_USER_INPUT' | 'CONFLICT' | 'FORBIDDEN' | 'OK';
  field?: string;
  /** CONFLICT: the message must name the status it was refused from. */
  message?: RegExp;
  /** HTTP status when it is not the code's usual one (a variable graphql-js refuses: 400). */
  status?: number;
}

let sequence = 0;
/** A fresh, well-formed clientId, so that only the value under test is wrong. */
export function loopClientId(): string {
  sequence += 1;
  return `loop-corpus-${process.pid}-${Date.now().toString(36)}-${sequence}`;
}

/** A calendar day in Asia/Shanghai, `days` from today. */
export function shanghaiDay(days = 0): string {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

export const REFER = 'mutation ($input: ReferDemandInput!) { referDemand(input: $input) { id status } }';
export const ACCEPT = 'mutation ($input: AcceptReferralInput!) { acceptReferral(input: $input) { id status } }';
export const RETURN = 'mutation ($input: ReturnReferralInput!) { returnReferral(input: $input) { id status } }';
export const RESOLVE = 'mutation ($input: ResolveReferralInput!) { resolveReferral(input: $input) { id status } }';
export const PROGRESS = 'mutation ($input: NoteDemandProgressInput!) { noteDemandProgress(input: $input) { id status } }';
export const START = 'mutation ($input: StartDemandWorkInput!) { startDemandWork(input: $input) { id status } }';
export const INSTRUCT = 'mutation ($input: InstructDemandInput!) { instructDemand(input: $input) { id status } }';
const DESIGNATE = 'mutation ($input: DesignateUnitHandlerInput!) { designateUnitHandler(input: $input) { id } }';
const END_HANDLER = 'mutation ($input: EndUnitHandlerInput!) { endUnitHandler(input: $input) { id } }';

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
  ['letters', 'abc'],
  ['huge', '99999999999999999999'],
  ['SQL injection', "1' OR '1'='1"],
];

const BAD_CLIENT_IDS: [string, string][] = [
  ['empty', ''],
  ['7 characters', 'abc1234'],
  ['65 characters', 'a'.repeat(65)],
  ['a space', 'loop client id'],
  ['Chinese characters', '客户端编号一二三四五'],
  ['a slash', 'loop/client/id/1'],
];

const referInput = (loop: LoopFixtures, extra: Record<string, unknown> = {}) => ({
  demandId: loop.openDemandId,
  clientId: loopClientId(),
  unitId: loop.handlerUnitId,
  note: '请协助核实',
  dueOn: shanghaiDay(7),
  ...extra,
});

/** Every loop operation with a text the corpus makes too long, empty or hostile. */
const TEXTS: {
  operation: string;
  as: LoopIdentity;
  query: string;
  field: string;
  max: number;
  optional?: true;
  input: (loop: LoopFixtures) => Record<string, unknown>;
}[] = [
  { operation: 'referDemand', as: 'cadre', query: REFER, field: 'note', max: 500, optional: true, input: (loop) => referInput(loop) },
  {
    operation: 'returnReferral',
    as: 'handler',
    query: RETURN,
    field: 'reason',
    max: 500,
    input: (loop) => ({ referralId: loop.pending.referralId, clientId: loopClientId() }),
  },
  {
    operation: 'resolveReferral',
    as: 'handler',
    query: RESOLVE,
    field: 'resolution',
    max: 1000,
    input: (loop) => ({ referralId: loop.accepted.referralId, clientId: loopClientId() }),
  },
  {
    operation: 'noteDemandProgress',
    as: 'cadre',
    query: PROGRESS,
    field: 'note',
    max: 500,
    input: (loop) => ({ demandId: loop.openDemandId, clientId: loopClientId() }),
  },
  {
    operation: 'startDemandWork',
    as: 'cadre',
    query: START,
    field: 'note',
    max: 500,
    optional: true,
    input: (loop) => ({ demandId: loop.openDemandId, clientId: loopClientId() }),
  },
  {
    operation: 'instructDemand',
    as: 'admin',
    query: INSTRUCT,
    field: 'note',
    max: 500,
    // The input is checked before the demand is looked at: any demand serves.
    input: (loop) => ({ demandId: loop.accepted.demandId, clientId: loopClientId(), newDueOn: shanghaiDay(10) }),
  },
];

/** Every loop operation that takes a clientId, with an otherwise valid input. */
const WITH_CLIENT_ID: { operation: string; as: LoopIdentity; query: string; input: (loop: LoopFixtures) => Record<string, unknown> }[] = [
  { operation: 'referDemand', as: 'cadre', query: REFER, input: (loop) => referInput(loop) },
  { operation: 'acceptReferral', as: 'handler', query: ACCEPT, input: (loop) => ({ referralId: loop.pending.referralId }) },
  { operation: 'returnReferral', as: 'handler', query: RETURN, input: (loop) => ({ referralId: loop.pending.referralId, reason: '不属本单位职责' }) },
  { operation: 'resolveReferral', as: 'handler', query: RESOLVE, input: (loop) => ({ referralId: loop.accepted.referralId, resolution: '已办结' }) },
  { operation: 'noteDemandProgress', as: 'cadre', query: PROGRESS, input: (loop) => ({ demandId: loop.openDemandId, note: '已联系' }) },
  { operation: 'startDemandWork', as: 'cadre', query: START, input: (loop) => ({ demandId: loop.openDemandId }) },
  {
    operation: 'instructDemand',
    as: 'admin',
    query: INSTRUCT,
    input: (loop) => ({ demandId: loop.accepted.demandId, note: '请尽快办结', newDueOn: shanghaiDay(10) }),
  },
];

/** Every loop operation that takes an id, with the id under test in the named field. */
const WITH_ID: { name: string; as: LoopIdentity; field: string; request: (loop: LoopFixtures, id: string) => LoopRequest }[] = [
  ...WITH_CLIENT_ID.map((operation) => {
    const field = operation.operation.endsWith('Referral') ? 'referralId' : 'demandId';
    return {
      name: `${operation.operation}(input.${field})`,
      as: operation.as,
      field: `input.${field}`,
      request: (loop: LoopFixtures, id: string): LoopRequest => ({
        as: operation.as,
        query: operation.query,
        variables: { input: { ...operation.input(loop), clientId: loopClientId(), [field]: id } },
      }),
    };
  }),
  {
    name: 'referral(id)',
    as: 'handler',
    field: 'id',
    request: (_loop, id) => ({ as: 'handler', query: 'query ($id: ID!) { referral(id: $id) { id } }', variables: { id } }),
  },
  {
    name: 'referralTargets(demandId)',
    as: 'cadre',
    field: 'demandId',
    request: (_loop, id) => ({ as: 'cadre', query: 'query ($id: ID!) { referralTargets(demandId: $id) { id } }', variables: { id } }),
  },
  {
    name: 'unitHandlers(unitId)',
    as: 'admin',
    field: 'unitId',
    request: (_loop, id) => ({ as: 'admin', query: 'query ($id: ID!) { unitHandlers(unitId: $id) { id } }', variables: { id } }),
  },
  {
    name: 'endUnitHandler(input.id)',
    as: 'admin',
    field: 'input.id',
    request: (_loop, id) => ({ as: 'admin', query: END_HANDLER, variables: { input: { id, reason: '岗位调整' } } }),
  },
  {
    name: 'designateUnitHandler(input.unitId)',
    as: 'admin',
    field: 'input.unitId',
    request: (_loop, id) => ({ as: 'admin', query: DESIGNATE, variables: { input: { unitId: id, cadreId: '1' } } }),
  },
];

export function loopCorpus(): LoopCase[] {
  const cases: LoopCase[] = [];
  const add = (entry: LoopCase) => cases.push(entry);

  // Illegal transitions: CONFLICT naming the status, nothing written.
  const conflict = (name: string, request: LoopCase['request'], message: RegExp) =>
    add({ category: 'loop: illegal transition', name, request, code: 'CONFLICT', message });
  conflict(
    'accept a referral a second time',
    (loop) => ({ as: 'handler', query: ACCEPT, variables: { input: { referralId: loop.accepted.referralId, clientId: loopClientId() } } }),
    /ACCEPTED|IN_PROGRESS/,
  );
  conflict(
    'return a referral that was accepted and then resolved',
    (loop) => ({
      as: 'handler',
      query: RETURN,
      variables: { input: { referralId: loop.resolved.referralId, clientId: loopClientId(), reason: '不属本单位职责' } },
    }),
    /RESOLVED/,
  );
  conflict(
    'resolve a referral nobody signed for yet',
    (loop) => ({
      as: 'handler',
      query: RESOLVE,
      variables: { input: { referralId: loop.pending.referralId, clientId: loopClientId(), resolution: '已办结' } },
    }),
    /PENDING|REFERRED/,
  );
  conflict(
    'resolve a referral twice',
    (loop) => ({
      as: 'handler',
      query: RESOLVE,
      variables: { input: { referralId: loop.resolved.referralId, clientId: loopClientId(), resolution: '已办结' } },
    }),
    /RESOLVED/,
  );
  conflict(
    'accept a returned referral',
    (loop) => ({ as: 'handler', query: ACCEPT, variables: { input: { referralId: loop.returned.referralId, clientId: loopClientId() } } }),
    /RETURNED|OPEN/,
  );
  conflict(
    'refer a RESOLVED demand',
    (loop) => ({ as: 'cadre', query: REFER, variables: { input: referInput(loop, { demandId: loop.resolved.demandId }) } }),
    /RESOLVED/,
  );
  conflict(
    'refer a demand that is already referred',
    (loop) => ({ as: 'cadre', query: REFER, variables: { input: referInput(loop, { demandId: loop.pending.demandId }) } }),
    /REFERRED/,
  );
  conflict(
    'start work on a referred demand',
    (loop) => ({ as: 'cadre', query: START, variables: { input: { demandId: loop.pending.demandId, clientId: loopClientId() } } }),
    /REFERRED/,
  );
  conflict(
    'start work on a resolved demand',
    (loop) => ({ as: 'cadre', query: START, variables: { input: { demandId: loop.resolved.demandId, clientId: loopClientId() } } }),
    /RESOLVED/,
  );
  conflict(
    'instruct a demand that was never escalated',
    (loop) => ({
      as: 'admin',
      query: INSTRUCT,
      variables: { input: { demandId: loop.openDemandId, clientId: loopClientId(), note: '请尽快办结', newDueOn: shanghaiDay(10) } },
    }),
    /escalat/,
  );

  // A clientId names one action: sent again with another action it is refused, naming the field.
  add({
    category: 'loop: clientId',
    name: 'start work on another demand with the clientId of a referral',
    request: (loop) => ({ as: 'cadre', query: START, variables: { input: { demandId: loop.openDemandId, clientId: loop.usedClientId } } }),
    code: 'CONFLICT',
    field: 'input.clientId',
  });
  add({
    category: 'loop: clientId',
    name: 'refer another demand with the clientId of a referral',
    request: (loop) => ({ as: 'cadre', query: REFER, variables: { input: referInput(loop, { clientId: loop.usedClientId }) } }),
    code: 'CONFLICT',
    field: 'input.clientId',
  });

  // Who may act: the unit's handler, the household's cadre; nobody else.
  add({
    category: 'loop: not theirs',
    name: 'accept a referral as a cadre who is no handler of the unit',
    request: (loop) => ({ as: 'otherCadre', query: ACCEPT, variables: { input: { referralId: loop.pending.referralId, clientId: loopClientId() } } }),
    code: 'FORBIDDEN',
  });
  add({
    category: 'loop: not theirs',
    name: "refer another cadre's household's demand",
    request: (loop) => ({ as: 'otherCadre', query: REFER, variables: { input: referInput(loop) } }),
    code: 'FORBIDDEN',
  });

  // Foreign units: not in reach, or in reach with nobody to receive it.
  add({
    category: 'loop: foreign unit',
    name: 'refer to a unit of another district (it has a handler, but the household is not in its region)',
    request: (loop) => ({ as: 'cadre', query: REFER, variables: { input: referInput(loop, { unitId: loop.foreignUnitId }) } }),
    code: 'BAD_USER_INPUT',
    field: 'input.unitId',
  });
  add({
    category: 'loop: foreign unit',
    name: 'refer to a unit in reach that has no handler',
    request: (loop) => ({ as: 'cadre', query: REFER, variables: { input: referInput(loop, { unitId: loop.unitWithoutHandlerId }) } }),
    code: 'BAD_USER_INPUT',
    field: 'input.unitId',
  });

  // Due dates: a referral's not in the past and at most 90 days ahead; an instruction's after today.
  const dueOn = (name: string, request: LoopCase['request'], field: string) =>
    add({ category: 'loop: due date', name, request, code: 'BAD_USER_INPUT', field });
  dueOn(
    'refer with a due date yesterday',
    (loop) => ({ as: 'cadre', query: REFER, variables: { input: referInput(loop, { dueOn: shanghaiDay(-1) }) } }),
    'input.dueOn',
  );
  dueOn(
    'refer with a due date a year ago',
    (loop) => ({ as: 'cadre', query: REFER, variables: { input: referInput(loop, { dueOn: shanghaiDay(-365) }) } }),
    'input.dueOn',
  );
  dueOn(
    'refer with a due date 91 days ahead',
    (loop) => ({ as: 'cadre', query: REFER, variables: { input: referInput(loop, { dueOn: shanghaiDay(91) }) } }),
    'input.dueOn',
  );
  dueOn(
    'refer with a due date in 2099',
    (loop) => ({ as: 'cadre', query: REFER, variables: { input: referInput(loop, { dueOn: '2099-01-01' }) } }),
    'input.dueOn',
  );
  const instructOn =
    (newDueOn: string) =>
    (loop: LoopFixtures): LoopRequest => ({
      as: 'admin',
      query: INSTRUCT,
      variables: { input: { demandId: loop.accepted.demandId, clientId: loopClientId(), note: '请尽快办结', newDueOn } },
    });
  dueOn('instruct with today as the new due date', instructOn(shanghaiDay(0)), 'input.newDueOn');
  dueOn('instruct with a new due date in the past', instructOn(shanghaiDay(-3)), 'input.newDueOn');
  dueOn('instruct with a new due date 91 days ahead', instructOn(shanghaiDay(91)), 'input.newDueOn');
  add({
    category: 'loop: due date',
    name: 'refer with a due date that is no calendar day (2027-02-30)',
    request: (loop) => ({ as: 'cadre', query: REFER, variables: { input: referInput(loop, { dueOn: '2027-02-30' }) } }),
    code: 'BAD_USER_INPUT',
    field: 'input.dueOn',
    status: 400,
  });

  // Texts: over-size, empty where required, control characters.
  for (const text of TEXTS) {
    const request =
      (value: string) =>
      (loop: LoopFixtures): LoopRequest => ({ as: text.as, query: text.query, variables: { input: { ...text.input(loop), [text.field]: value } } });
    const field = `input.${text.field}`;
    add({
      category: 'loop: text',
      name: `${text.operation} with a ${text.max + 1}-character ${text.field}`,
      request: request('办'.repeat(text.max + 1)),
      code: 'BAD_USER_INPUT',
      field,
    });
    add({
      category: 'loop: text',
      name: `${text.operation} with a 100,000-character ${text.field}`,
      request: request('x'.repeat(100_000)),
      code: 'BAD_USER_INPUT',
      field,
    });
    if (!text.optional) {
      add({ category: 'loop: text', name: `${text.operation} with an empty ${text.field}`, request: request(''), code: 'BAD_USER_INPUT', field });
      add({ category: 'loop: text', name: `${text.operation} with a ${text.field} of spaces only`, request: request('   '), code: 'BAD_USER_INPUT', field });
    }
    for (const [label, character] of CONTROL_CHARACTERS) {
      add({
        category: 'loop: text',
        name: `${text.operation} with ${label} in the ${text.field}`,
        request: request(`已联系${character}街道`),
        code: 'BAD_USER_INPUT',
        field,
      });
    }
  }

  // clientIds: 8–64 of [A-Za-z0-9_-].
  for (const operation of WITH_CLIENT_ID) {
    for (const [label, clientId] of BAD_CLIENT_IDS) {
      add({
        category: 'loop: clientId',
        name: `${operation.operation} with a clientId of ${label}`,
        request: (loop) => ({ as: operation.as, query: operation.query, variables: { input: { ...operation.input(loop), clientId } } }),
        code: 'BAD_USER_INPUT',
        field: 'input.clientId',
      });
    }
  }

  // Ids: malformed ones name the field; one that does not exist is answered as one out of reach.
  for (const operation of WITH_ID) {
    for (const [label, id] of BAD_IDS) {
      add({
        category: 'loop: invalid id',
        name: `${operation.name} with a ${label} id`,
        request: (loop) => operation.request(loop, id),
        code: 'BAD_USER_INPUT',
        field: operation.field,
      });
    }
    add({
      category: 'loop: missing object',
      name: `${operation.name} with an id that does not exist`,
      request: (loop) => operation.request(loop, '987654321'),
      // referral(id) answers null for a referral out of reach and for one that does not exist alike.
      code: operation.name === 'referral(id)' ? 'OK' : 'FORBIDDEN',
    });
  }
  add({
    category: 'loop: invalid id',
    name: 'referDemand with a unitId of letters',
    request: (loop) => ({ as: 'cadre', query: REFER, variables: { input: referInput(loop, { unitId: 'abc' }) } }),
    code: 'BAD_USER_INPUT',
    field: 'input.unitId',
  });
  add({
    category: 'loop: invalid id',
    name: 'designateUnitHandler with a cadreId of letters',
    request: (loop) => ({ as: 'admin', query: DESIGNATE, variables: { input: { unitId: loop.handlerUnitId, cadreId: 'abc' } } }),
    code: 'BAD_USER_INPUT',
    field: 'input.cadreId',
  });
  // A handler's end needs a reason, like every other end.
  add({
    category: 'loop: text',
    name: 'endUnitHandler with an empty reason',
    request: (loop) => ({ as: 'admin', query: END_HANDLER, variables: { input: { id: loop.unitHandlerId, reason: '' } } }),
    code: 'BAD_USER_INPUT',
    field: 'input.reason',
  });
  return cases;
}

type Gql = <T>(token: string | null, query: string, variables?: Record<string, unknown>) => Promise<T>;
type Attempt = (
  token: string | null,
  query: string,
  variables?: Record<string, unknown>,
) => Promise<{ data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;

/**
 * Makes the loop's objects through the API: the handler (designated by the city's administrator for
 * its own unit), a household of the signed-in cadre under that unit's region, its demands in each state,
 * a city unit with no handler and a unit of another district with one.
 */
export async function discoverLoopFixtures(
  gql: Gql,
  attempt: Attempt,
  tokens: { admin: string; cadre: string; handler: string },
  ids: { cadreId: string; roundId: string; cityRegionId: string; districts: { id: string; path: string }[] },
): Promise<LoopFixtures> {
  const { admin, cadre, handler } = tokens;
  const me = await gql<{ me: { cadre: { id: string; unit: { id: string; region: { id: string; path: string } } } } }>(
    handler,
    '{ me { cadre { id unit { id region { id path } } } } }',
  );
  const handlerUnit = me.me.cadre.unit;
  const designated = await attempt(admin, DESIGNATE, { input: { unitId: handlerUnit.id, cadreId: me.me.cadre.id } });
  // The demo may have designated it already (CONFLICT): it is a handler either way.
  if (designated.errors?.length && designated.errors[0]!.extensions?.code !== 'CONFLICT')
    throw new Error(`designation failed: ${JSON.stringify(designated.errors)}`);
  const handlers = await gql<{ unitHandlers: { id: string; cadreId: string }[] }>(admin, 'query ($id: ID!) { unitHandlers(unitId: $id) { id cadreId } }', {
    id: handlerUnit.id,
  });
  const unitHandlerId = handlers.unitHandlers.find((row) => row.cadreId === me.me.cadre.id)!.id;

  // A household of the signed-in cadre where the handler's unit reaches.
  const places = await gql<{ households: { nodes: { region: { id: string; path: string } }[] } }>(
    admin,
    'query ($r: ID) { households(first: 1, filter: {regionId: $r}) { nodes { region { id path } } } }',
    { r: handlerUnit.region.id },
  );
  const place = places.households.nodes[0]!.region;
  const household = await gql<{ createHousehold: { id: string } }>(
    admin,
    'mutation ($input: CreateHouseholdInput!) { createHousehold(input: $input) { id } }',
    { input: { regionId: place.id, address: '语料路8号', headName: '语料闭环户', targetGroups: ['HARDSHIP'] } },
  );
  const householdId = household.createHousehold.id;
  await gql(admin, 'mutation ($h: ID!, $c: ID!, $r: ID) { assignCadre(householdId: $h, cadreId: $c, kind: REGULAR, roundId: $r) { id } }', {
    h: householdId,
    c: ids.cadreId,
    r: ids.roundId,
  });
  const raised = await gql<{ submitHelpRecord: { demandsRaised: { id: string }[] } }>(
    cadre,
    'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { demandsRaised { id } } }',
    {
      input: {
        clientId: loopClientId(),
        householdId,
        // The assignment starts now: the visit is the moment after.
        occurredAt: new Date(Date.now() + 1000).toISOString(),
        kinds: ['VISIT'],
        summary: '语料准备：闭环诉求',
        demandsRaised: ['一', '二', '三', '四', '五'].map((n) => ({ category: 'LIVELIHOOD', text: `语料准备：诉求${n}` })),
      },
    },
  );
  const [open, pending, accepted, resolved, returned] = raised.submitHelpRecord.demandsRaised.map((row) => row.id) as [string, string, string, string, string];
  const refer = async (demandId: string) =>
    (
      await gql<{ referDemand: { id: string } }>(cadre, REFER, {
        input: { demandId, clientId: loopClientId(), unitId: handlerUnit.id, note: '语料准备', dueOn: shanghaiDay(7) },
      })
    ).referDemand.id;
  const act = (query: string, referralId: string, extra: Record<string, unknown> = {}) =>
    gql(handler, query, { input: { referralId, clientId: loopClientId(), ...extra } });
  const usedClientId = loopClientId();
  const pendingReferral = (
    await gql<{ referDemand: { id: string } }>(cadre, REFER, {
      input: { demandId: pending, clientId: usedClientId, unitId: handlerUnit.id, note: '语料准备', dueOn: shanghaiDay(7) },
    })
  ).referDemand.id;
  const acceptedReferral = await refer(accepted);
  await act(ACCEPT, acceptedReferral);
  const resolvedReferral = await refer(resolved);
  await act(ACCEPT, resolvedReferral);
  await act(RESOLVE, resolvedReferral, { resolution: '语料准备：已办结' });
  const returnedReferral = await refer(returned);
  await act(RETURN, returnedReferral, { reason: '语料准备：不属本单位' });

  // A city unit with nobody to receive; a unit of another district, with a handler.
  const newUnit = async (regionId: string, level: string) =>
    (
      await gql<{ createUnit: { id: string } }>(admin, 'mutation ($input: UnitInput!) { createUnit(input: $input) { id } }', {
        input: { name: `语料单位${loopClientId().slice(-6)}`, kind: 'AGENCY', level, regionId },
      })
    ).createUnit.id;
  const unitWithoutHandlerId = await newUnit(ids.cityRegionId, 'CITY');
  const elsewhere = ids.districts.find((district) => !place.path.startsWith(district.path))!;
  const foreignUnitId = await newUnit(elsewhere.id, 'COUNTY');
  const foreignCadre = await gql<{ createCadre: { id: string } }>(admin, 'mutation ($input: CreateCadreInput!) { createCadre(input: $input) { id } }', {
    input: { name: '语料联络员', post: '科员', rank: 'STAFF', unitId: foreignUnitId },
  });
  await gql(admin, DESIGNATE, { input: { unitId: foreignUnitId, cadreId: foreignCadre.createCadre.id } });

  return {
    handlerUnitId: handlerUnit.id,
    unitWithoutHandlerId,
    foreignUnitId,
    householdId,
    openDemandId: open,
    pending: { demandId: pending, referralId: pendingReferral },
    accepted: { demandId: accepted, referralId: acceptedReferral },
    resolved: { demandId: resolved, referralId: resolvedReferral },
    returned: { demandId: returned, referralId: returnedReferral },
    unitHandlerId,
    usedClientId,
  };
}

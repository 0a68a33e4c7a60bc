import { DemandStatus, ReferralStatus, Role } from '@wanjia/shared';
import { hashPassword } from '../../../src/modules/accounts/password.service';
import { CITY_CODE, MatrixFixtures, PINGSHAN_CODE, type LoopWorld, type Seeded } from './fixtures';
import { importsCases } from './cases-imports';
import { fieldReportsCases } from './cases-field-reports';
import { bulkRunsCases } from './cases-bulk-runs';
import { recordListsCases } from './cases-record-lists';
import type { GraphQLBody } from '../server';

/**
 * The authorization matrix's cases (authorization-matrix.test.ts runs them): for every query and
 * mutation of the schema, the roles that may call it and a valid call, with probes in scope and out.
 */
/**
 * The five callers of every entry, and the demand loop's (issue 15): `handler`, a cadre of 平山区's unit
 * designated its handler (联络员), with no household of its own; `outsideHandler`, the same for 溪湖区's
 * unit (it only appears in probes); `leader`, a petition case's responsible leader (包案领导). An entry
 * that lists one of them in `answers` is called by it too.
 */
export type Caller = 'anonymous' | 'cadre' | 'analyst' | 'districtAdmin' | 'cityAdmin' | 'handler' | 'outsideHandler' | 'leader';
export const CALLERS: readonly Caller[] = ['anonymous', 'cadre', 'analyst', 'districtAdmin', 'cityAdmin'];
export const LOOP_CALLERS: readonly Caller[] = ['handler', 'leader'];
export const ROLE_OF: Record<Exclude<Caller, 'anonymous'>, Role> = {
  cadre: Role.CADRE,
  handler: Role.CADRE,
  outsideHandler: Role.CADRE,
  leader: Role.CADRE,
  analyst: Role.ANALYST,
  districtAdmin: Role.ADMIN,
  cityAdmin: Role.ADMIN,
};

export type Vars = Record<string, unknown>;
/** Answers are read field by field, differently per operation. */
export type Data = Record<string, any>;

/** What a call needs: the objects looked up in the demo data, fresh ones, and a refresh token. */
export interface Ctx {
  seeded: Seeded;
  fx: MatrixFixtures;
  loop: LoopWorld;
  refreshToken(): Promise<string>;
  /** A fresh analyst (or administrator) account scoped to 平山区 (inside), 溪湖区 (outside) or the city; its id. */
  staffAccount(side: 'inside' | 'outside' | 'city', active?: boolean, role?: Role): Promise<string>;
  /** After a caller changed its own password: its demo password back, and the new token adopted. */
  afterPasswordChange(caller: Caller, body: GraphQLBody<Data>): Promise<void>;
}

export type VarsOf = (ctx: Ctx, caller: Caller) => Vars | Promise<Vars>;

/**
 * A call that must not reach an object: by default the district administrator on something in 溪湖区,
 * answered FORBIDDEN. A list filtered on such an object is answered with an empty page instead
 * ("empty"), and the city's administrator gets rows for the same filter, to show the filter bites.
 * "ok" marks a link the rules allow across the boundary (a city-level cadre for a district household).
 */
export interface Probe {
  what: string;
  caller?: Caller;
  /** 'null': a lookup that answers null for what the caller may not read, as for what does not exist. */
  expect?: 'FORBIDDEN' | 'empty' | 'ok' | 'null';
  vars: VarsOf;
}

export interface Entry {
  /** Roles that may call it; 'signed-in' for every role; 'public' for the sign-in mutations. */
  who: readonly Role[] | 'signed-in' | 'public';
  /** Staff may call it but it is not about any region (so it needs no out-of-scope probe). */
  unscoped?: true;
  /** Only the city's administrators: the district administrator is FORBIDDEN even inside 平山区. */
  cityAdminsOnly?: true;
  text: string;
  /** Valid variables for the caller, inside 平山区 (for a cadre: its own household). */
  vars?: VarsOf;
  outside?: Probe[];
  /** Lists: the region path of each node, for the district administrator's rows. */
  paths?: (nodes: Data[], ctx: Ctx) => string[] | Promise<string[]>;
  /** Extra checks on a successful answer. */
  check?: (data: Data, caller: Caller, ctx: Ctx) => void;
  /** Public mutations: the answer every caller gets to `text` when it is not a success. */
  answer?: string;
  /** Public mutations: a call refused on its merits, and the answer, whoever calls. */
  refusal?: { vars: VarsOf; answer: string };
  /**
   * What a caller gets when it is not what `who` says (the loop's operations: a cadre who is no handler
   * is FORBIDDEN to sign for a referral). The loop's callers (handler, leader) are called only when
   * listed here.
   */
  answers?: Partial<Record<Caller, string>>;
  /** Runs after each caller's valid call (undoing what would spoil the next cases). */
  after?: (ctx: Ctx, caller: Caller, body: GraphQLBody<Data>) => Promise<void>;
}

export const STAFF = [Role.ADMIN, Role.ANALYST] as const;
/** The password of the accounts the account-care entries make (hashed once). */
export const matrixPasswordHash = hashPassword('matrix-care-password-2026');
export const ADMINS = [Role.ADMIN] as const;
export const RESIDENT = { name: '矩阵测试', relation: 'CHILD', gender: 'MALE' };

export const forbidden = (what: string, vars: VarsOf, caller: Caller = 'districtAdmin'): Probe => ({ what, vars, caller });
export const empty = (what: string, vars: VarsOf): Probe => ({ what, vars, expect: 'empty' });
export const unseen = (what: string, vars: VarsOf, caller: Caller = 'districtAdmin'): Probe => ({ what, vars, caller, expect: 'null' });
export const allowed = (what: string, vars: VarsOf, caller?: Caller): Probe => ({ what, vars, expect: 'ok', caller });

/** A page of up to 100 nodes with their ids and what `selection` asks for. */
export function list(field: string, filterType: string, selection = ''): string {
  return `query ($filter: ${filterType}) { ${field}(first: 100, filter: $filter) { totalCount nodes { id ${selection} } } }`;
}

export const householdPath = (nodes: Data[]) => nodes.map((node) => node.household.region.path as string);

export const helpContent = (ctx: Ctx) => ({
  clientId: ctx.fx.unique('matrix-client-'),
  occurredAt: new Date().toISOString(),
  kinds: ['VISIT'],
  summary: '矩阵测试走访',
});

export const analyticsOutside: Probe[] = [
  forbidden('figures of 溪湖区', ({ seeded }) => ({ regionId: seeded.xihuId })),
  forbidden('figures of the city (above 平山区)', ({ seeded }) => ({ regionId: seeded.cityId })),
];

/** A drill-down of the analysts' figures: the records one measure counts, in the caller's subtree by default. */
export function drillDown(field: string, measure: string, selection = ''): Entry {
  return {
    who: STAFF,
    text: `query ($regionId: ID) { ${field}(measure: ${measure}, regionId: $regionId, first: 20) { totalCount nodes { id ${selection} } } }`,
    outside: analyticsOutside,
  };
}

/**
 * The demand loop (issue 15). Handlers act on referrals to their unit, the household's cadre on its
 * demands; a cadre who is neither is FORBIDDEN, and so is a handler of 溪湖区's unit on a referral of
 * 平山区 (and the other way round). Staff read the loop in their scope; only administrators instruct,
 * designate handlers or change the ladder (the ladder and the deadlines: city administrators only).
 */
const CADRE_AND_HANDLER = { handler: 'ok' } as const;
const HANDLER_ONLY = { cadre: 'FORBIDDEN', handler: 'ok' } as const;
const loopClientId = (ctx: Ctx) => ctx.fx.unique('matrix-loop-');
const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const inDays = (days: number) => new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
/** A fresh pending (or accepted) referral to the handler's unit: 平山区's for everyone, 溪湖区's when asked. */
const referralVars =
  (status: ReferralStatus.PENDING | ReferralStatus.ACCEPTED, side: 'inside' | 'outside', extra: (ctx: Ctx) => Vars = () => ({})): VarsOf =>
  async (ctx) => ({ input: { referralId: await ctx.fx.referral(side, status), clientId: loopClientId(ctx), ...extra(ctx) } });
const handlerProbes = (status: ReferralStatus.PENDING | ReferralStatus.ACCEPTED, extra: (ctx: Ctx) => Vars = () => ({})): Probe[] => [
  forbidden("a referral to 溪湖区's unit, by 平山区's handler", referralVars(status, 'outside', extra), 'handler'),
  forbidden("a referral to 平山区's unit, by 溪湖区's handler", referralVars(status, 'inside', extra), 'outsideHandler'),
  forbidden('a referral of its own household, by the cadre (no handler of the unit)', referralVars(status, 'inside', extra), 'cadre'),
];
/** A fresh open demand of the matrix cadre's (inside) or of the loop's outside cadre's household. */
const demandVars =
  (side: 'inside' | 'outside', extra: (ctx: Ctx) => Vars = () => ({}), status = DemandStatus.OPEN): VarsOf =>
  async (ctx) => ({ input: { demandId: await ctx.fx.loopDemand(side, status), clientId: loopClientId(ctx), ...extra(ctx) } });
const referralOf = (nodes: Data[]) => nodes.map((node) => node.demand.household.region.path as string);

export const LOOP_QUERIES: Record<string, Entry> = {
  myLoopSummary: {
    who: [Role.CADRE],
    text: '{ myLoopSummary { handlerUnits { id } inboxPending inboxAccepted inboxOverdue unreadNotices isLeader } }',
    answers: { handler: 'ok', leader: 'ok' },
    check: ({ myLoopSummary }, caller, { seeded }) => {
      if (caller === 'handler') expect(myLoopSummary.handlerUnits.map((unit: Data) => unit.id)).toEqual([seeded.unit.inside]);
      if (caller === 'cadre') expect(myLoopSummary.handlerUnits).toEqual([]);
      if (caller === 'leader') expect(myLoopSummary.isLeader).toBe(true);
      if (caller === 'handler') expect(myLoopSummary.isLeader).toBe(false);
    },
  },
  myInbox: {
    who: [Role.CADRE],
    text: '{ myInbox(first: 50) { totalCount nodes { id unit { id } } } }',
    answers: CADRE_AND_HANDLER,
    // Only referrals to the caller's units: none for a cadre who handles nothing.
    check: ({ myInbox }, caller, { seeded, loop }) => {
      const units = new Set(myInbox.nodes.map((node: Data) => node.unit.id));
      if (caller === 'handler') {
        expect([...units]).toEqual([seeded.unit.inside]);
        expect(myInbox.nodes.map((node: Data) => node.id)).toContain(loop.referral.inside);
      } else expect(myInbox.totalCount).toBe(0);
    },
  },
  // One referral: null for one the caller may not read, as for one that does not exist.
  referral: {
    who: [Role.CADRE, Role.ADMIN, Role.ANALYST],
    text: 'query ($id: ID!) { referral(id: $id) { id status household { headName } } }',
    vars: ({ loop }) => ({ id: loop.referral.inside }),
    answers: CADRE_AND_HANDLER,
    check: ({ referral }, _caller, { loop }) => expect(referral?.id).toBe(loop.referral.inside),
    outside: [
      unseen("a referral to 溪湖区's unit, by 平山区's handler", ({ loop }) => ({ id: loop.referral.outside }), 'handler'),
      unseen("a referral to 平山区's unit, by 溪湖区's handler", ({ loop }) => ({ id: loop.referral.inside }), 'outsideHandler'),
      unseen('a referral of a household it does not look after', ({ loop }) => ({ id: loop.referral.outside }), 'cadre'),
      unseen('a referral of a household in 溪湖区', ({ loop }) => ({ id: loop.referral.outside })),
      unseen('a referral that does not exist', () => ({ id: '987654321' }), 'cityAdmin'),
    ],
  },
  referralTargets: {
    who: [Role.CADRE],
    text: 'query ($id: ID!) { referralTargets(demandId: $id) { id name } }',
    vars: async ({ fx }) => ({ id: await fx.loopDemand('inside') }),
    // Only the household's cadre refers; a handler of a unit in reach is not the household's cadre.
    answers: { handler: 'FORBIDDEN' },
    check: ({ referralTargets }, _caller, { seeded }) => {
      const ids = referralTargets.map((unit: Data) => unit.id);
      expect(ids).toContain(seeded.unit.inside);
      expect(ids).not.toContain(seeded.unit.outside);
    },
    outside: [forbidden('a demand of a household it does not look after', async ({ fx }) => ({ id: await fx.loopDemand('outside') }), 'cadre')],
  },
  myNotices: { who: 'signed-in', text: '{ myNotices(first: 20) { totalCount nodes { id kind } } }', answers: { handler: 'ok', leader: 'ok' } },
  myContactPoints: {
    who: [Role.CADRE],
    text: '{ myContactPoints { points { id } cases { id caseLabel } } }',
    answers: { handler: 'ok', leader: 'ok' },
    check: ({ myContactPoints }, caller) => {
      if (caller === 'leader') expect(myContactPoints.cases.length).toBeGreaterThan(0);
      if (caller === 'handler') expect(myContactPoints).toEqual({ points: [], cases: [] });
    },
  },
  supervisionList: {
    who: STAFF,
    text: 'query ($filter: SupervisionFilter) { supervisionList(first: 100, filter: $filter) { totalCount nodes { id demand { household { region { path } } } } } }',
    paths: referralOf,
    answers: { handler: 'FORBIDDEN' },
    outside: [empty("escalations filtered on 溪湖区's unit", ({ seeded }) => ({ filter: { unitId: seeded.unit.outside } }))],
  },
  demandReferrals: {
    who: STAFF,
    text: 'query ($filter: DemandReferralFilter) { demandReferrals(first: 100, filter: $filter) { totalCount nodes { id demand { household { region { path } } } } } }',
    paths: referralOf,
    answers: { handler: 'FORBIDDEN' },
    outside: [empty("referrals filtered on 溪湖区's unit", ({ seeded }) => ({ filter: { unitId: seeded.unit.outside } }))],
  },
  unitHandlers: {
    who: STAFF,
    text: 'query ($unitId: ID!) { unitHandlers(unitId: $unitId) { id cadreName } }',
    vars: ({ seeded }) => ({ unitId: seeded.unit.inside }),
    answers: { handler: 'FORBIDDEN' },
    outside: [forbidden("the handlers of 溪湖区's unit", ({ seeded }) => ({ unitId: seeded.unit.outside }))],
  },
  demandDeadlines: { who: STAFF, unscoped: true, text: '{ demandDeadlines { category demandDays referralDays } }', answers: { handler: 'FORBIDDEN' } },
  escalationRungs: {
    who: STAFF,
    unscoped: true,
    text: '{ escalationRungs { level code name afterDays } }',
    answers: { handler: 'FORBIDDEN' },
    check: ({ escalationRungs }) => expect(escalationRungs.map((rung: Data) => rung.code)).toEqual(['UNIT', 'TOWNSHIP', 'DISTRICT', 'CITY']),
  },
  // The loop in the analysts' figures (the figures helper's names).
  demandLoopFigures: {
    who: STAFF,
    text: 'query ($regionId: ID) { demandLoopFigures(regionId: $regionId) { slice { regionId } groups { key } } }',
    outside: analyticsOutside,
    answers: { handler: 'FORBIDDEN' },
  },
  loopDemands: {
    who: STAFF,
    text: 'query ($regionId: ID) { loopDemands(measure: RAISED, regionId: $regionId, first: 20) { totalCount nodes { id } } }',
    outside: analyticsOutside,
    answers: { handler: 'FORBIDDEN' },
  },
  referralFiguresByUnit: {
    who: STAFF,
    text: 'query ($regionId: ID) { referralFiguresByUnit(regionId: $regionId, first: 20) { totalCount nodes { unitId } } }',
    outside: analyticsOutside,
    answers: { handler: 'FORBIDDEN' },
  },
  loopReferrals: {
    who: STAFF,
    text: 'query ($regionId: ID) { loopReferrals(measure: REFERRALS, regionId: $regionId, first: 20) { totalCount nodes { id } } }',
    outside: analyticsOutside,
    answers: { handler: 'FORBIDDEN' },
  },
};

export const LOOP_MUTATIONS: Record<string, Entry> = {
  startDemandWork: {
    who: [Role.CADRE],
    text: 'mutation ($input: StartDemandWorkInput!) { startDemandWork(input: $input) { id status } }',
    vars: demandVars('inside'),
    answers: { handler: 'FORBIDDEN' },
    outside: [forbidden('a demand of a household it does not look after', demandVars('outside'), 'cadre')],
  },
  referDemand: {
    who: [Role.CADRE],
    text: 'mutation ($input: ReferDemandInput!) { referDemand(input: $input) { id status } }',
    vars: demandVars('inside', ({ seeded }) => ({ unitId: seeded.unit.inside, note: '矩阵测试交办', dueOn: inDays(7) })),
    answers: { handler: 'FORBIDDEN' },
    outside: [
      forbidden(
        'a demand of a household it does not look after',
        demandVars('outside', ({ seeded }) => ({ unitId: seeded.unit.outside, note: '矩阵测试交办', dueOn: inDays(7) })),
        'cadre',
      ),
    ],
  },
  acceptReferral: {
    who: [Role.CADRE],
    text: 'mutation ($input: AcceptReferralInput!) { acceptReferral(input: $input) { id status } }',
    vars: referralVars(ReferralStatus.PENDING, 'inside'),
    answers: HANDLER_ONLY,
    outside: handlerProbes(ReferralStatus.PENDING),
  },
  returnReferral: {
    who: [Role.CADRE],
    text: 'mutation ($input: ReturnReferralInput!) { returnReferral(input: $input) { id status } }',
    vars: referralVars(ReferralStatus.PENDING, 'inside', () => ({ reason: '矩阵测试：不属本单位职责' })),
    answers: HANDLER_ONLY,
    outside: handlerProbes(ReferralStatus.PENDING, () => ({ reason: '矩阵测试：不属本单位职责' })),
  },
  resolveReferral: {
    who: [Role.CADRE],
    text: 'mutation ($input: ResolveReferralInput!) { resolveReferral(input: $input) { id status } }',
    vars: referralVars(ReferralStatus.ACCEPTED, 'inside', () => ({ resolution: '矩阵测试：已办结' })),
    answers: HANDLER_ONLY,
    outside: handlerProbes(ReferralStatus.ACCEPTED, () => ({ resolution: '矩阵测试：已办结' })),
  },
  noteDemandProgress: {
    who: [Role.CADRE],
    text: 'mutation ($input: NoteDemandProgressInput!) { noteDemandProgress(input: $input) { id status } }',
    // The cadre notes progress on its demand with no open referral; the handler on one its unit accepted.
    vars: async (ctx, caller) => ({
      input: {
        demandId: caller === 'handler' ? await ctx.fx.demandOf(await ctx.fx.referral('inside', ReferralStatus.ACCEPTED)) : await ctx.fx.loopDemand('inside'),
        clientId: loopClientId(ctx),
        note: '矩阵测试进展',
      },
    }),
    answers: CADRE_AND_HANDLER,
    outside: [
      forbidden(
        'a demand of a household it does not look after',
        demandVars('outside', () => ({ note: '矩阵测试进展' })),
        'cadre',
      ),
      forbidden(
        "a demand accepted by 溪湖区's unit, by 平山区's handler",
        async (ctx) => ({
          input: {
            demandId: await ctx.fx.demandOf(await ctx.fx.referral('outside', ReferralStatus.ACCEPTED)),
            clientId: loopClientId(ctx),
            note: '矩阵测试进展',
          },
        }),
        'handler',
      ),
    ],
  },
  instructDemand: {
    who: ADMINS,
    text: 'mutation ($input: InstructDemandInput!) { instructDemand(input: $input) { id escalationRung } }',
    vars: async (ctx) => ({
      input: { demandId: await ctx.fx.escalatedDemand('inside'), clientId: loopClientId(ctx), note: '矩阵测试督办', newDueOn: inDays(10) },
    }),
    answers: { handler: 'FORBIDDEN' },
    outside: [
      forbidden('a demand escalated in 溪湖区', async (ctx) => ({
        input: { demandId: await ctx.fx.escalatedDemand('outside'), clientId: loopClientId(ctx), note: '矩阵测试督办', newDueOn: inDays(10) },
      })),
    ],
  },
  designateUnitHandler: {
    who: ADMINS,
    text: 'mutation ($input: DesignateUnitHandlerInput!) { designateUnitHandler(input: $input) { id unitId cadreId } }',
    vars: async ({ fx, seeded }) => ({ input: { unitId: seeded.unit.inside, cadreId: await fx.cadre('inside') } }),
    answers: { handler: 'FORBIDDEN' },
    outside: [
      forbidden("a cadre of 溪湖区's unit", async ({ fx, seeded }) => ({ input: { unitId: seeded.unit.outside, cadreId: await fx.cadre('outside') } })),
      forbidden('a cadre of a city-level unit (above 平山区)', async ({ fx, seeded }) => ({
        input: { unitId: seeded.unit.city, cadreId: await fx.cadre('city') },
      })),
    ],
  },
  endUnitHandler: {
    who: ADMINS,
    text: 'mutation ($input: EndUnitHandlerInput!) { endUnitHandler(input: $input) { id endedAt endedReason } }',
    vars: async ({ fx }) => ({ input: { id: await fx.unitHandler('inside'), reason: '矩阵测试：岗位调整' } }),
    answers: { handler: 'FORBIDDEN' },
    outside: [forbidden("a handler of 溪湖区's unit", async ({ fx }) => ({ input: { id: await fx.unitHandler('outside'), reason: '矩阵测试：岗位调整' } }))],
  },
  setDemandDeadline: {
    who: ADMINS,
    cityAdminsOnly: true,
    text: 'mutation ($input: SetDemandDeadlineInput!) { setDemandDeadline(input: $input) { category demandDays referralDays } }',
    // The default for the category, so that nothing else in the run changes.
    vars: () => ({ input: { category: 'OTHER', demandDays: 15, referralDays: 7 } }),
    answers: { handler: 'FORBIDDEN' },
  },
  setEscalationRung: {
    who: ADMINS,
    cityAdminsOnly: true,
    text: 'mutation ($input: SetEscalationRungInput!) { setEscalationRung(input: $input) { level name afterDays } }',
    vars: () => ({ input: { level: 1, name: '本单位', afterDays: 1 } }),
    answers: { handler: 'FORBIDDEN' },
  },
  markNoticesRead: {
    who: 'signed-in',
    text: 'mutation ($input: MarkNoticesReadInput!) { markNoticesRead(input: $input) }',
    vars: () => ({ input: { all: true } }),
    answers: { handler: 'ok' },
  },
  recordNoticeSubscriptions: {
    who: [Role.CADRE],
    text: 'mutation ($input: NoticeSubscriptionsInput!) { recordNoticeSubscriptions(input: $input) }',
    vars: () => ({ input: { accepted: ['REFERRED_TO_UNIT'], rejected: ['VISITS_DUE'] } }),
    answers: { handler: 'ok' },
  },
};
void today;

export const QUERIES: Record<string, Entry> = {
  ...LOOP_QUERIES,
  ...importsCases().queries,
  ...fieldReportsCases().queries,
  ...bulkRunsCases().queries,
  ...recordListsCases().queries,
  assignments: {
    who: STAFF,
    text: list('assignments', 'AssignmentFilter', 'household { region { path } }'),
    outside: [empty('assignments filtered on a cadre of 溪湖区', ({ seeded }) => ({ filter: { cadreId: seeded.outsideCadreWithHouseholds } }))],
    paths: householdPath,
  },
  auditEntries: {
    who: ADMINS,
    text: list('auditEntries', 'AuditEntryFilter'),
    paths: (nodes, { fx }) => fx.auditPaths(nodes.map((node) => node.id)),
  },
  cadres: {
    who: STAFF,
    text: list('cadres', 'CadreFilter', 'unit { region { path } }'),
    outside: [empty('cadres filtered on a unit of 溪湖区', ({ seeded }) => ({ filter: { unitId: seeded.unit.outside } }))],
    paths: (nodes) => nodes.map((node) => node.unit.region.path),
  },
  contactPointKinds: { who: STAFF, unscoped: true, text: '{ contactPointKinds { id code } }' },
  contactPoints: {
    who: STAFF,
    text: list('contactPoints', 'ContactPointFilter'),
    paths: (nodes, { fx }) => fx.contactPointPaths(nodes.map((node) => node.id)),
  },
  currentRound: { who: 'signed-in', text: '{ currentRound { id name } }' },
  developmentCadres: {
    who: 'public',
    text: '{ developmentCadres { id } }',
    answer: 'FEATURE_DISABLED', // DEV_SIGN_IN is off on the app under test, as in production
  },
  demands: {
    who: STAFF,
    text: list('demands', 'DemandFilter', 'household { region { path } }'),
    outside: [empty('demands filtered on a household of 溪湖区', ({ seeded }) => ({ filter: { householdId: seeded.outsideHouseholdWithDemand } }))],
    paths: householdPath,
  },
  household: {
    who: [Role.ADMIN, Role.ANALYST, Role.CADRE],
    text: 'query ($id: ID!) { household(id: $id) { id region { path } } }',
    vars: ({ seeded }, caller) => ({ id: caller === 'cadre' ? seeded.cadreHousehold : seeded.household.inside }),
    outside: [
      forbidden('a household in 溪湖区', ({ seeded }) => ({ id: seeded.household.outside })),
      forbidden('a household it does not (or no longer) look after', ({ seeded }) => ({ id: seeded.otherHousehold }), 'cadre'),
    ],
  },
  households: {
    who: STAFF,
    text: list('households', 'HouseholdFilter', 'region { path }'),
    outside: [
      forbidden('households filtered on 溪湖区', ({ seeded }) => ({ filter: { regionId: seeded.xihuId } })),
      forbidden('households filtered on the city (above 平山区)', ({ seeded }) => ({ filter: { regionId: seeded.cityId } })),
    ],
    paths: (nodes) => nodes.map((node) => node.region.path),
  },
  myHouseholds: {
    who: [Role.CADRE],
    text: '{ myHouseholds(first: 50) { totalCount nodes { id } } }',
    check: ({ myHouseholds }, _caller, { seeded }) => expect(myHouseholds.nodes.map((node: Data) => node.id)).toContain(seeded.cadreHousehold),
  },
  myStats: {
    who: [Role.CADRE],
    text: '{ myStats { households householdsOverdue thisRound { visits } } }',
    check: ({ myStats }) => expect(myStats.households).toBeGreaterThan(0),
  },
  me: {
    who: 'signed-in',
    text: '{ me { role scopeRegion { code } cadre { id } } }',
    check: ({ me }, caller, { seeded }) => {
      const scope = { analyst: CITY_CODE, districtAdmin: PINGSHAN_CODE, cityAdmin: CITY_CODE }[caller as 'analyst'] ?? null;
      expect([me.role, me.scopeRegion?.code ?? null]).toEqual([ROLE_OF[caller as Exclude<Caller, 'anonymous'>], scope]);
      expect(me.cadre?.id ?? null).toBe(caller === 'cadre' ? String(seeded.cadreAccount.cadre!.id) : null);
    },
  },
  petitionCases: {
    who: STAFF,
    text: list('petitionCases', 'PetitionCaseFilter', 'household { region { path } }'),
    outside: [empty('petition cases filtered on a household of 溪湖区', ({ seeded }) => ({ filter: { householdId: seeded.outsideHouseholdWithCase } }))],
    paths: householdPath,
  },
  region: {
    who: STAFF,
    text: 'query ($id: ID!) { region(id: $id) { id path } }',
    vars: ({ seeded }) => ({ id: seeded.pingshanId }),
    outside: [forbidden('溪湖区', ({ seeded }) => ({ id: seeded.xihuId })), forbidden('the city (above 平山区)', ({ seeded }) => ({ id: seeded.cityId }))],
  },
  regions: {
    who: STAFF,
    text: 'query ($parentId: ID) { regions(parentId: $parentId) { code } }',
    check: ({ regions }, caller) => expect(regions.map((region: Data) => region.code)).toEqual([caller === 'districtAdmin' ? PINGSHAN_CODE : CITY_CODE]),
    outside: [
      forbidden('the children of 溪湖区', ({ seeded }) => ({ parentId: seeded.xihuId })),
      forbidden('the children of the city (above 平山区)', ({ seeded }) => ({ parentId: seeded.cityId })),
    ],
  },
  rounds: { who: 'signed-in', text: '{ rounds { id name } }' },
  unitPairings: {
    who: STAFF,
    text: list('unitPairings', 'UnitPairingFilter', 'region { path }'),
    outside: [forbidden('pairings filtered on 溪湖区', ({ seeded }) => ({ filter: { regionId: seeded.xihuId } }))],
    paths: (nodes) => nodes.map((node) => node.region.path),
  },
  units: {
    who: STAFF,
    text: list('units', 'UnitFilter', 'region { path }'),
    outside: [forbidden('units filtered on 溪湖区', ({ seeded }) => ({ filter: { regionId: seeded.xihuId } }))],
    paths: (nodes) => nodes.map((node) => node.region.path),
  },
  // Account care (issue 11): the staff accounts an administrator manages, in scope.
  accounts: {
    who: ADMINS,
    text: list('accounts', 'AccountFilter', 'scopeRegion { path }'),
    paths: (nodes) => nodes.map((node) => node.scopeRegion.path),
  },
  // The analysts' queries (issue 6): figures of the caller's subtree, or of a region inside it.
  campaignOverview: {
    who: STAFF,
    text: 'query ($regionId: ID) { campaignOverview(regionId: $regionId) { slice { regionId } figures { measure value } } }',
    outside: analyticsOutside,
    check: ({ campaignOverview }, caller, { seeded }) =>
      expect(campaignOverview.slice.regionId).toBe(caller === 'districtAdmin' ? seeded.pingshanId : seeded.cityId),
  },
  campaignBreakdown: {
    who: STAFF,
    text: 'query ($regionId: ID) { campaignBreakdown(dimension: REGION_CHILDREN, regionId: $regionId) { groups { key } } }',
    outside: analyticsOutside,
  },
  coverageGaps: { who: STAFF, text: 'query ($regionId: ID) { coverageGaps(regionId: $regionId) { households } }', outside: analyticsOutside },
  overdueVisits: { who: STAFF, text: 'query ($regionId: ID) { overdueVisits(regionId: $regionId, first: 5) { totalCount } }', outside: analyticsOutside },
  cadreWorkload: { who: STAFF, text: 'query ($regionId: ID) { cadreWorkload(regionId: $regionId) { cadres } }', outside: analyticsOutside },
  demandAging: { who: STAFF, text: 'query ($regionId: ID) { demandAging(regionId: $regionId) { open } }', outside: analyticsOutside },
  analyticsHouseholds: {
    ...drillDown('analyticsHouseholds', 'HOUSEHOLDS_HELPED', 'region { path }'),
    paths: (nodes) => nodes.map((node) => node.region.path),
  },
  analyticsResidents: drillDown('analyticsResidents', 'KEY_FOCUS_PERSONS'),
  analyticsCadres: drillDown('analyticsCadres', 'CADRES_ENGAGED'),
  analyticsUnits: drillDown('analyticsUnits', 'UNITS_PAIRED'),
  analyticsRegions: { ...drillDown('analyticsRegions', 'VILLAGES_COVERED', 'path'), paths: (nodes) => nodes.map((node) => node.path) },
  analyticsPetitionCases: { ...drillDown('analyticsPetitionCases', 'PETITION_CASES', 'household { region { path } }'), paths: householdPath },
  analyticsDemands: { ...drillDown('analyticsDemands', 'DEMANDS_RAISED', 'household { region { path } }'), paths: householdPath },
  analyticsHelpRecords: drillDown('analyticsHelpRecords', 'VISITS'),
};

/** Variables for a change to a fresh household's file (its version is the one just read). */
export const residentChange =
  (side: 'inside' | 'outside', target: 'household' | 'resident'): VarsOf =>
  async ({ fx }) => {
    const household = await fx.household(side);
    return { id: target === 'household' ? household.id : household.residentId, version: household.version, input: RESIDENT };
  };

/**
 * Account care on a fresh account of each side: the district administrator reaches only 平山区's. An
 * administrator of the caller's own scope is a peer: unlocked, but never reset, deactivated or
 * reactivated by them (the city's administrators do it for a district's; the CLI for the city's).
 */
export function accountCare(text: string, action: 'unlock' | 'takeOver', active = true): Entry {
  const peerAdmin =
    (side: 'inside' | 'city'): VarsOf =>
    async ({ staffAccount }) => ({ id: await staffAccount(side, active, Role.ADMIN) });
  const peers =
    action === 'unlock'
      ? [
          allowed('an administrator of 平山区 (a peer)', peerAdmin('inside'), 'districtAdmin'),
          allowed('another administrator of the city (a peer)', peerAdmin('city'), 'cityAdmin'),
        ]
      : [
          forbidden('an administrator of 平山区 (a peer)', peerAdmin('inside')),
          forbidden('another administrator of the city (a peer)', peerAdmin('city'), 'cityAdmin'),
        ];
  return {
    who: ADMINS,
    text,
    vars: async ({ staffAccount }) => ({ id: await staffAccount('inside', active) }),
    outside: [
      forbidden('an analyst of 溪湖区', async ({ staffAccount }) => ({ id: await staffAccount('outside', active) })),
      forbidden("an analyst of the city's scope (above 平山区)", async ({ staffAccount }) => ({ id: await staffAccount('city', active) })),
      forbidden("an administrator of the city's scope (above 平山区)", async ({ staffAccount }) => ({ id: await staffAccount('city', active, Role.ADMIN) })),
      ...peers,
      allowed('an administrator of 平山区 (below the city)', peerAdmin('inside'), 'cityAdmin'),
      allowed(
        'an analyst of the city (the same scope, not an administrator)',
        async ({ staffAccount }) => ({ id: await staffAccount('city', active) }),
        'cityAdmin',
      ),
    ],
  };
}

export type StaffCaller = 'analyst' | 'districtAdmin' | 'cityAdmin';
export const DEMO_PASSWORD_OF: Record<StaffCaller, string> = {
  analyst: 'wanjia-analyst-demo',
  districtAdmin: 'wanjia-pingshan-demo',
  cityAdmin: 'wanjia-admin-demo',
};

export const MUTATIONS: Record<string, Entry> = {
  ...LOOP_MUTATIONS,
  ...importsCases().mutations,
  ...fieldReportsCases().mutations,
  ...bulkRunsCases().mutations,
  ...recordListsCases().mutations,
  changePassword: {
    who: STAFF,
    unscoped: true,
    text: 'mutation ($old: String!, $new: String!) { changePassword(oldPassword: $old, newPassword: $new) { accessToken passwordChangeRequired } }',
    vars: (_ctx, caller) => ({ old: DEMO_PASSWORD_OF[caller as keyof typeof DEMO_PASSWORD_OF] ?? 'not-a-staff-password', new: 'matrix-new-password-2026' }),
    check: ({ changePassword }) => expect(changePassword.passwordChangeRequired).toBe(false),
    after: (ctx, caller, body) => ctx.afterPasswordChange(caller, body),
  },
  resetPassword: accountCare('mutation ($id: ID!) { resetPassword(accountId: $id) { oneTimePassword account { mustChangePassword } } }', 'takeOver'),
  unlockAccount: accountCare('mutation ($id: ID!) { unlockAccount(accountId: $id) { id signInLockedUntil } }', 'unlock'),
  deactivateAccount: accountCare('mutation ($id: ID!) { deactivateAccount(accountId: $id, reason: "矩阵测试停用") { active } }', 'takeOver'),
  reactivateAccount: accountCare('mutation ($id: ID!) { reactivateAccount(accountId: $id) { active } }', 'takeOver', false),
  addResident: {
    who: ADMINS,
    text: 'mutation ($id: ID!, $version: Int!, $input: ResidentInput!) { addResident(householdId: $id, householdVersion: $version, input: $input) { id } }',
    vars: residentChange('inside', 'household'),
    outside: [forbidden('a household in 溪湖区', residentChange('outside', 'household'))],
  },
  assignCadre: {
    who: ADMINS,
    text: 'mutation ($householdId: ID!, $cadreId: ID!, $roundId: ID) { assignCadre(householdId: $householdId, cadreId: $cadreId, kind: REGULAR, roundId: $roundId) { id } }',
    vars: async ({ fx, seeded }) => ({ householdId: (await fx.household('inside')).id, cadreId: await fx.cadre('inside'), roundId: seeded.roundId }),
    outside: [
      forbidden('a household in 溪湖区', async ({ fx, seeded }) => ({
        householdId: (await fx.household('outside')).id,
        cadreId: await fx.cadre('inside'),
        roundId: seeded.roundId,
      })),
      forbidden('a cadre of 溪湖区', async ({ fx, seeded }) => ({
        householdId: (await fx.household('inside')).id,
        cadreId: await fx.cadre('outside'),
        roundId: seeded.roundId,
      })),
      allowed('a cadre of a city-level unit (above 平山区)', async ({ fx, seeded }) => ({
        householdId: (await fx.household('inside')).id,
        cadreId: await fx.cadre('city'),
        roundId: seeded.roundId,
      })),
    ],
  },
  assignCaseLeader: {
    who: ADMINS,
    text: 'mutation ($id: ID!, $cadreId: ID!) { assignCaseLeader(id: $id, cadreId: $cadreId) { id } }',
    vars: async ({ fx, seeded }) => ({ id: await fx.petitionCase('inside'), cadreId: seeded.cadre.inside }),
    outside: [
      forbidden('a case in 溪湖区', async ({ fx, seeded }) => ({ id: await fx.petitionCase('outside'), cadreId: seeded.cadre.inside })),
      forbidden('a leader of 溪湖区', async ({ fx, seeded }) => ({ id: await fx.petitionCase('inside'), cadreId: seeded.cadre.outside })),
      allowed('a city-level leader (above 平山区)', async ({ fx, seeded }) => ({ id: await fx.petitionCase('inside'), cadreId: seeded.cadre.city })),
    ],
  },
  developmentSignIn: {
    who: 'public',
    text: 'mutation { developmentSignIn(cadreId: "1") { accessToken } }',
    answer: 'FEATURE_DISABLED', // DEV_SIGN_IN is off on the app under test, as in production
  },
  bindWechat: {
    who: 'public',
    text: 'mutation { bindWechat(code: "matrix-wx-code", bindCode: "MATRIX23") { accessToken } }',
    answer: 'FEATURE_DISABLED', // WeChat is not configured on the app under test
  },
  changePetitionCaseStatus: {
    who: ADMINS,
    text: 'mutation ($id: ID!) { changePetitionCaseStatus(id: $id, status: IN_PROGRESS, reason: "已受理，正在办理") { id status } }',
    vars: async ({ fx }) => ({ id: await fx.petitionCase('inside') }),
    outside: [forbidden('a case in 溪湖区', async ({ fx }) => ({ id: await fx.petitionCase('outside') }))],
  },
  createAccount: {
    who: ADMINS,
    text: 'mutation ($input: CreateAccountInput!) { createAccount(input: $input) { id role } }',
    vars: ({ fx, seeded }) => ({
      input: { username: fx.unique('matrix-analyst-'), password: 'matrix-password-2026', role: 'ANALYST', scopeRegionId: seeded.pingshanId },
    }),
    outside: [
      forbidden('an analyst of 溪湖区', ({ fx, seeded }) => ({
        input: { username: fx.unique('matrix-xihu-'), password: 'matrix-password-2026', role: 'ANALYST', scopeRegionId: seeded.xihuId },
      })),
      forbidden('an administrator of the city (above 平山区)', ({ fx, seeded }) => ({
        input: { username: fx.unique('matrix-city-'), password: 'matrix-password-2026', role: 'ADMIN', scopeRegionId: seeded.cityId },
      })),
    ],
  },
  createCadre: {
    who: ADMINS,
    text: 'mutation ($input: CreateCadreInput!) { createCadre(input: $input) { id } }',
    vars: ({ fx, seeded }) => ({ input: { name: fx.unique('矩阵新干部'), post: '科员', rank: 'STAFF', unitId: seeded.unit.inside } }),
    outside: [
      forbidden('in a unit of 溪湖区', ({ fx, seeded }) => ({
        input: { name: fx.unique('矩阵新干部'), post: '科员', rank: 'STAFF', unitId: seeded.unit.outside },
      })),
      forbidden('in a city-level unit (above 平山区)', ({ fx, seeded }) => ({
        input: { name: fx.unique('矩阵新干部'), post: '科员', rank: 'STAFF', unitId: seeded.unit.city },
      })),
    ],
  },
  createContactPoint: {
    who: ADMINS,
    cityAdminsOnly: true,
    text: 'mutation ($input: CreateContactPointInput!) { createContactPoint(input: $input) { id } }',
    vars: ({ seeded }) => ({
      input: {
        leaderId: seeded.cadre.city,
        kindId: seeded.contactPointKindId,
        roundId: seeded.roundId,
        targetRegionId: seeded.pingshanId,
        startedOn: seeded.roundStartsOn,
      },
    }),
  },
  createContactPointKind: {
    who: ADMINS,
    cityAdminsOnly: true,
    text: 'mutation ($input: ContactPointKindInput!) { createContactPointKind(input: $input) { id } }',
    vars: ({ fx }) => ({ input: { code: fx.unique('MATRIX_NEW_'), name: '矩阵新联系点' } }),
  },
  createHousehold: {
    who: ADMINS,
    text: 'mutation ($input: CreateHouseholdInput!) { createHousehold(input: $input) { id } }',
    vars: ({ fx, seeded }) => ({ input: { regionId: seeded.place.inside, address: '矩阵路1号', headName: fx.unique('矩阵户主'), targetGroups: ['HARDSHIP'] } }),
    outside: [
      forbidden('in a community of 溪湖区', ({ fx, seeded }) => ({
        input: { regionId: seeded.place.outside, address: '矩阵路1号', headName: fx.unique('矩阵户主'), targetGroups: ['HARDSHIP'] },
      })),
    ],
  },
  createPetitionCase: {
    who: ADMINS,
    text: 'mutation ($input: CreatePetitionCaseInput!) { createPetitionCase(input: $input) { id } }',
    vars: ({ seeded }) => ({ input: { householdId: seeded.household.inside, title: '矩阵测试信访', demand: '要求解决问题', receivedOn: '2026-10-01' } }),
    outside: [
      forbidden('for a household in 溪湖区', ({ seeded }) => ({
        input: { householdId: seeded.household.outside, title: '矩阵测试信访', demand: '要求解决问题', receivedOn: '2026-10-01' },
      })),
    ],
  },
  createRegion: {
    who: ADMINS,
    cityAdminsOnly: true,
    text: 'mutation ($input: CreateRegionInput!) { createRegion(input: $input) { id } }',
    vars: ({ fx, seeded }) => ({ input: { code: fx.communityCode(), name: fx.unique('矩阵新社区'), level: 'COMMUNITY', parentId: seeded.pingshanStreetId } }),
  },
  createRound: {
    who: ADMINS,
    cityAdminsOnly: true,
    text: 'mutation ($input: CreateRoundInput!) { createRound(input: $input) { id } }',
    // Long past, so that it is neither today's round nor the newest.
    vars: ({ fx }) => ({ input: { name: fx.unique('矩阵测试轮次'), startsOn: '2001-01-01', endsOn: '2001-12-31' } }),
  },
  createUnit: {
    who: ADMINS,
    text: 'mutation ($input: UnitInput!) { createUnit(input: $input) { id } }',
    vars: ({ fx, seeded }) => ({ input: { name: fx.unique('矩阵新单位'), kind: 'AGENCY', level: 'COUNTY', regionId: seeded.pingshanId } }),
    outside: [
      forbidden('in 溪湖区', ({ fx, seeded }) => ({ input: { name: fx.unique('矩阵新单位'), kind: 'AGENCY', level: 'COUNTY', regionId: seeded.xihuId } })),
      forbidden('at the city (above 平山区)', ({ fx, seeded }) => ({
        input: { name: fx.unique('矩阵新单位'), kind: 'AGENCY', level: 'CITY', regionId: seeded.cityId },
      })),
    ],
  },
  deactivateCadre: {
    who: ADMINS,
    text: 'mutation ($id: ID!) { deactivateCadre(id: $id, reason: "矩阵测试停用") { id active } }',
    vars: async ({ fx }) => ({ id: await fx.cadre('inside') }),
    outside: [forbidden('a cadre of 溪湖区', async ({ fx }) => ({ id: await fx.cadre('outside') }))],
  },
  endAssignment: {
    who: ADMINS,
    text: 'mutation ($id: ID!) { endAssignment(assignmentId: $id, reason: "矩阵测试结束") { id } }',
    vars: async ({ fx }) => ({ id: await fx.assignment('inside') }),
    outside: [forbidden('an assignment in 溪湖区', async ({ fx }) => ({ id: await fx.assignment('outside') }))],
  },
  endContactPoint: {
    who: ADMINS,
    cityAdminsOnly: true,
    text: 'mutation ($id: ID!, $endedOn: LocalDate!) { endContactPoint(id: $id, endedOn: $endedOn) { id } }',
    vars: async ({ fx, seeded }) => ({ id: await fx.contactPoint(), endedOn: seeded.roundStartsOn }),
  },
  endUnitPairing: {
    who: ADMINS,
    text: 'mutation ($id: ID!, $endedOn: LocalDate!) { endUnitPairing(id: $id, endedOn: $endedOn, reason: "矩阵测试结束") { id } }',
    vars: async ({ fx, seeded }) => ({ id: await fx.pairing('inside'), endedOn: seeded.roundStartsOn }),
    outside: [forbidden('a pairing in 溪湖区', async ({ fx, seeded }) => ({ id: await fx.pairing('outside'), endedOn: seeded.roundStartsOn }))],
  },
  issueBindCode: {
    who: ADMINS,
    text: 'mutation ($cadreId: ID!) { issueBindCode(cadreId: $cadreId) { expiresAt } }',
    vars: async ({ fx }) => ({ cadreId: await fx.cadre('inside') }),
    outside: [
      forbidden('a cadre of 溪湖区', async ({ fx }) => ({ cadreId: await fx.cadre('outside') })),
      forbidden('a cadre of a city-level unit (above 平山区)', async ({ fx }) => ({ cadreId: await fx.cadre('city') })),
    ],
  },
  login: {
    who: 'public',
    text: 'mutation ($username: String!, $password: String!) { login(username: $username, password: $password) { accessToken account { role } } }',
    vars: () => ({ username: 'analyst', password: 'wanjia-analyst-demo' }),
    // A different unknown name per caller, so that no account name collects enough failures to lock.
    refusal: {
      vars: (_ctx, caller) => ({ username: `nobody-${caller.toLowerCase()}`, password: 'not-the-password' }),
      answer: 'UNAUTHENTICATED: Wrong username or password',
    },
  },
  logout: {
    who: 'public',
    text: 'mutation ($token: String!) { logout(refreshToken: $token) }',
    vars: async ({ refreshToken }) => ({ token: await refreshToken() }),
    check: ({ logout }) => expect(logout).toBe(true),
    refusal: { vars: () => ({ token: 'short' }), answer: 'BAD_USER_INPUT' },
  },
  reactivateCadre: {
    who: ADMINS,
    text: 'mutation ($id: ID!) { reactivateCadre(id: $id) { id active } }',
    vars: async ({ fx }) => ({ id: await fx.cadre('inside', false) }),
    outside: [forbidden('a cadre of 溪湖区', async ({ fx }) => ({ id: await fx.cadre('outside', false) }))],
  },
  refreshToken: {
    who: 'public',
    text: 'mutation ($token: String!) { refreshToken(refreshToken: $token) { accessToken } }',
    vars: async ({ refreshToken }) => ({ token: await refreshToken() }),
    refusal: { vars: () => ({ token: 'matrix-not-a-refresh-token' }), answer: 'UNAUTHENTICATED: Refresh token invalid or expired; sign in again' },
  },
  submitHelpRecord: {
    who: [Role.CADRE],
    text: 'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id } }',
    vars: (ctx) => ({ input: { ...helpContent(ctx), householdId: ctx.seeded.cadreHousehold } }),
    outside: [
      forbidden(
        'a household it does not (or no longer) look after',
        (ctx) => ({ input: { ...helpContent(ctx), householdId: ctx.seeded.otherHousehold } }),
        'cadre',
      ),
    ],
  },
  correctHelpRecord: {
    who: [Role.CADRE],
    text: 'mutation ($id: ID!, $input: HelpRecordCorrectionInput!) { correctHelpRecord(id: $id, input: $input) { id } }',
    vars: async (ctx) => ({ id: await ctx.fx.cadreHelpRecord(), input: helpContent(ctx) }),
    outside: [forbidden('a record another cadre made', async (ctx) => ({ id: await ctx.fx.otherHelpRecord(), input: helpContent(ctx) }), 'cadre')],
  },
  confirmDemandResolved: {
    who: [Role.CADRE],
    text: 'mutation ($input: DemandConfirmationInput!) { confirmDemandResolved(input: $input) { status } }',
    vars: async ({ fx }) => ({ input: { demandId: await fx.resolvedDemand('own'), clientId: fx.unique('matrix-answer-'), satisfaction: 'SATISFIED' } }),
    outside: [
      forbidden(
        'a demand of a household it does not look after',
        async ({ fx }) => ({ input: { demandId: await fx.resolvedDemand('other'), clientId: fx.unique('matrix-answer-'), satisfaction: 'SATISFIED' } }),
        'cadre',
      ),
    ],
  },
  revealResident: {
    who: [Role.ADMIN, Role.CADRE],
    text: 'mutation ($id: ID!) { revealResident(id: $id, reason: "矩阵测试核实身份") { id } }',
    vars: ({ seeded }, caller) => ({ id: caller === 'cadre' ? seeded.cadreResident : seeded.resident.inside }),
    outside: [
      forbidden('a resident in 溪湖区', ({ seeded }) => ({ id: seeded.resident.outside })),
      forbidden('a resident of a household it does not (or no longer) look after', ({ seeded }) => ({ id: seeded.otherResident }), 'cadre'),
    ],
  },
  startUnitPairing: {
    who: ADMINS,
    text: 'mutation ($unitId: ID!, $regionId: ID!, $roundId: ID!, $startedOn: LocalDate!) { startUnitPairing(unitId: $unitId, regionId: $regionId, roundId: $roundId, startedOn: $startedOn) { id } }',
    vars: async ({ fx, seeded }) => ({
      unitId: await fx.unit('inside'),
      regionId: seeded.place.inside,
      roundId: seeded.roundId,
      startedOn: seeded.roundStartsOn,
    }),
    outside: [
      forbidden('with a community of 溪湖区', async ({ fx, seeded }) => ({
        unitId: await fx.unit('inside'),
        regionId: seeded.place.outside,
        roundId: seeded.roundId,
        startedOn: seeded.roundStartsOn,
      })),
      forbidden('for a unit of 溪湖区', async ({ fx, seeded }) => ({
        unitId: await fx.unit('outside'),
        regionId: seeded.place.inside,
        roundId: seeded.roundId,
        startedOn: seeded.roundStartsOn,
      })),
      allowed('for a city-level unit (above 平山区)', async ({ fx, seeded }) => ({
        unitId: await fx.unit('city'),
        regionId: seeded.place.inside,
        roundId: seeded.roundId,
        startedOn: seeded.roundStartsOn,
      })),
    ],
  },
  transferAssignment: {
    who: ADMINS,
    text: 'mutation ($id: ID!, $toCadreId: ID!) { transferAssignment(assignmentId: $id, toCadreId: $toCadreId, reason: "矩阵测试移交") { id } }',
    vars: async ({ fx }) => ({ id: await fx.assignment('inside'), toCadreId: await fx.cadre('inside') }),
    outside: [
      forbidden('an assignment in 溪湖区', async ({ fx }) => ({ id: await fx.assignment('outside'), toCadreId: await fx.cadre('inside') })),
      forbidden('to a cadre of 溪湖区', async ({ fx }) => ({ id: await fx.assignment('inside'), toCadreId: await fx.cadre('outside') })),
    ],
  },
  updateCadre: {
    who: ADMINS,
    text: 'mutation ($id: ID!, $input: UpdateCadreInput!) { updateCadre(id: $id, input: $input) { id } }',
    vars: async ({ fx }) => ({ id: await fx.cadre('inside'), input: { post: '副科长' } }),
    outside: [
      forbidden('a cadre of 溪湖区', async ({ fx }) => ({ id: await fx.cadre('outside'), input: { post: '副科长' } })),
      forbidden('a cadre moved to a unit of 溪湖区', async ({ fx, seeded }) => ({ id: await fx.cadre('inside'), input: { unitId: seeded.unit.outside } })),
    ],
  },
  updateContactPointKind: {
    who: ADMINS,
    cityAdminsOnly: true,
    text: 'mutation ($id: ID!, $input: ContactPointKindInput!) { updateContactPointKind(id: $id, input: $input) { id } }',
    vars: async ({ fx }) => {
      const kind = await fx.contactPointKind();
      return { id: kind.id, input: { code: kind.code, name: '矩阵改名联系点' } };
    },
  },
  updateHousehold: {
    who: ADMINS,
    text: 'mutation ($id: ID!, $input: UpdateHouseholdInput!) { updateHousehold(id: $id, input: $input) { id } }',
    vars: async ({ fx }) => {
      const household = await fx.household('inside');
      return { id: household.id, input: { expectedVersion: household.version, address: '矩阵路2号' } };
    },
    outside: [
      forbidden('a household in 溪湖区', async ({ fx }) => {
        const household = await fx.household('outside');
        return { id: household.id, input: { expectedVersion: household.version, address: '矩阵路2号' } };
      }),
      forbidden('a household moved to a community of 溪湖区', async ({ fx, seeded }) => {
        const household = await fx.household('inside');
        return { id: household.id, input: { expectedVersion: household.version, regionId: seeded.place.outside } };
      }),
    ],
  },
  updateRegion: {
    who: ADMINS,
    cityAdminsOnly: true,
    text: 'mutation ($id: ID!, $name: String!) { updateRegion(id: $id, name: $name) { id } }',
    vars: async ({ fx }) => ({ id: await fx.region(), name: fx.unique('矩阵改名社区') }),
  },
  updateResident: {
    who: ADMINS,
    text: 'mutation ($id: ID!, $version: Int!, $input: ResidentInput!) { updateResident(id: $id, householdVersion: $version, input: $input) { id } }',
    vars: residentChange('inside', 'resident'),
    outside: [forbidden('a resident in 溪湖区', residentChange('outside', 'resident'))],
  },
  updateUnit: {
    who: ADMINS,
    text: 'mutation ($id: ID!, $input: UnitInput!) { updateUnit(id: $id, input: $input) { id } }',
    vars: async ({ fx, seeded }) => ({
      id: await fx.unit('inside'),
      input: { name: fx.unique('矩阵改名单位'), kind: 'AGENCY', level: 'COUNTY', regionId: seeded.pingshanId },
    }),
    outside: [
      forbidden('a unit of 溪湖区', async ({ fx, seeded }) => ({
        id: await fx.unit('outside'),
        input: { name: fx.unique('矩阵改名单位'), kind: 'AGENCY', level: 'COUNTY', regionId: seeded.xihuId },
      })),
      forbidden('a unit moved to 溪湖区', async ({ fx, seeded }) => ({
        id: await fx.unit('inside'),
        input: { name: fx.unique('矩阵改名单位'), kind: 'AGENCY', level: 'COUNTY', regionId: seeded.xihuId },
      })),
    ],
  },
  wechatLogin: {
    who: 'public',
    text: 'mutation { wechatLogin(code: "matrix-wx-code") { status } }',
    answer: 'FEATURE_DISABLED', // WeChat is not configured on the app under test
  },
  exportReport: {
    who: STAFF,
    text: 'mutation ($regionId: ID) { exportReport(kind: OVERVIEW, regionId: $regionId) { csvUrl } }',
    outside: analyticsOutside,
  },
};

export const OPERATIONS: [string, string, Entry][] = [
  ...Object.entries(QUERIES).map(([name, entry]): [string, string, Entry] => [`Query.${name}`, name, entry]),
  ...Object.entries(MUTATIONS).map(([name, entry]): [string, string, Entry] => [`Mutation.${name}`, name, entry]),
];

/** The callers of an entry: the five, and the loop's callers its `answers` name. */
export function callersOf(entry: Entry): Caller[] {
  return [...CALLERS, ...LOOP_CALLERS.filter((caller) => entry.answers?.[caller] !== undefined)];
}

/** What the matrix says a caller gets for an entry's valid call. */
export function expectedAnswer(entry: Entry, caller: Caller): string {
  const given = entry.answers?.[caller];
  if (given !== undefined) return given;
  if (entry.who === 'public') return entry.answer ?? 'ok';
  if (caller === 'anonymous') return 'UNAUTHENTICATED: Sign in first';
  if (entry.who !== 'signed-in' && !entry.who.includes(ROLE_OF[caller])) return 'FORBIDDEN';
  if (entry.cityAdminsOnly && caller === 'districtAdmin') return 'FORBIDDEN';
  return 'ok';
}

/** A short answer to compare: ok, the error code (with the message when UNAUTHENTICATED), or empty / has rows. */
export function answerOf(body: GraphQLBody<Data>, field: string, asPage: boolean): string {
  const error = body.errors?.[0];
  if (error) {
    const code = String(error.extensions?.code);
    return code === 'UNAUTHENTICATED' ? `${code}: ${error.message}` : code;
  }
  if (!asPage) return 'ok';
  return body.data?.[field]?.totalCount === 0 ? 'empty' : 'has rows';
}

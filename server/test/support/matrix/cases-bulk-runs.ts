import type { Orm } from '../../../src/db/orm';
import { UserAccount } from '../../../src/modules/accounts/user-account.entity';
import { BulkRun } from '../../../src/modules/bulk-runs/bulk-run.entity';
import { BulkRunKind } from '../../../src/modules/bulk-runs/bulk-run.enums';
import { Region } from '../../../src/modules/regions/region.entity';
import { Round } from '../../../src/modules/rounds/round.entity';
import { ADMINS, allowed, forbidden, type Ctx, type Data, type Entry, type VarsOf } from './cases';
import type { Side } from './fixtures';

/**
 * The authorization matrix's entries for issue 16's bulk-runs operations. A function, not constants: cases.ts
 * calls it while it builds QUERIES and MUTATIONS, after its own helpers (forbidden, empty…) exist.
 *
 * Bulk runs are administrators' only (analysts and cadres FORBIDDEN), each in its region's subtree: 平山区's
 * administrator is FORBIDDEN 溪湖区's runs, households, units and cadres, and allowed a city-level cadre.
 */

/**
 * The fixtures' database. MatrixFixtures keeps its ORM to itself and has no bulk run of its own; a run is
 * written here directly, as the fixtures write their other objects (requests-bulk.md asks for a public helper).
 */
function ormOf(ctx: Ctx): Orm {
  return (ctx.fx as unknown as { orm: Orm }).orm;
}

/** A fresh PLANNED reassignment run (with no items) of the side's district, so that each call has its own. */
async function plannedRun(ctx: Ctx, side: Side): Promise<string> {
  const em = ormOf(ctx).em.fork();
  const district = await em.findOneOrFail(Region, Number(side === 'inside' ? ctx.seeded.pingshanId : ctx.seeded.xihuId));
  const planner = await em.findOneOrFail(UserAccount, { username: 'admin' });
  const run = em.create(BulkRun, {
    kind: BulkRunKind.BULK_REASSIGNMENT,
    region: district,
    regionPath: district.path,
    scopePath: district.path,
    plannedBy: planner,
    reason: '矩阵测试批量调整',
    plannedAt: new Date(),
  });
  await em.flush();
  return String(run.id);
}

/** The demo's first round (the one before the newest), which a rollover carries into the newest. */
async function firstRoundId(ctx: Ctx): Promise<string> {
  const em = ormOf(ctx).em.fork();
  const round = await em.findOneOrFail(Round, { startsOn: { $lt: ctx.seeded.roundStartsOn } }, { orderBy: { startsOn: 'desc' } });
  return String(round.id);
}

const rolloverVars =
  (extra: (ctx: Ctx) => Data = () => ({})): VarsOf =>
  async (ctx) => ({
    input: { fromRoundId: await firstRoundId(ctx), toRoundId: ctx.seeded.roundId, carry: 'BOTH', regionId: ctx.seeded.pingshanId, ...extra(ctx) },
  });

/** A fresh household of the side (no cadre yet: its item says so) to the given receiving cadre. */
const reassignmentVars =
  (side: Side, receiver: (ctx: Ctx) => Promise<string> | string): VarsOf =>
  async (ctx) => ({
    input: { householdIds: [(await ctx.fx.household(side)).id], toCadreIds: [await receiver(ctx)], reason: '矩阵测试批量调整' },
  });

const runVars =
  (side: Side): VarsOf =>
  async (ctx) => ({ input: { runId: await plannedRun(ctx, side) } });

export function bulkRunsCases(): { queries: Record<string, Entry>; mutations: Record<string, Entry> } {
  return {
    queries: {
      bulkRun: {
        who: ADMINS,
        text: 'query ($id: ID!) { bulkRun(id: $id) { id state counts { total } items(first: 5) { totalCount } } }',
        vars: async (ctx) => ({ id: await plannedRun(ctx, 'inside') }),
        outside: [forbidden("a run of 溪湖区's", async (ctx) => ({ id: await plannedRun(ctx, 'outside') }))],
      },
      bulkRuns: {
        who: ADMINS,
        text: 'query ($filter: BulkRunFilter) { bulkRuns(first: 100, filter: $filter) { totalCount nodes { id region { path } } } }',
        paths: (nodes) => nodes.map((node) => node.region.path as string),
      },
    },
    mutations: {
      planRoundRollover: {
        who: ADMINS,
        text: 'mutation ($input: PlanRoundRolloverInput!) { planRoundRollover(input: $input) { id state counts { total planned } } }',
        vars: rolloverVars(),
        check: ({ planRoundRollover }) => expect(planRoundRollover.state).toBe('PLANNED'),
        outside: [
          forbidden(
            '溪湖区',
            rolloverVars(({ seeded }) => ({ regionId: seeded.xihuId })),
          ),
          forbidden(
            "溪湖区's unit",
            rolloverVars(({ seeded }) => ({ unitId: seeded.unit.outside })),
          ),
          allowed(
            'a city-level unit (above 平山区)',
            rolloverVars(({ seeded }) => ({ unitId: seeded.unit.city })),
          ),
        ],
      },
      planBulkReassignment: {
        who: ADMINS,
        text: 'mutation ($input: PlanBulkReassignmentInput!) { planBulkReassignment(input: $input) { id state counts { total planned } } }',
        vars: reassignmentVars('inside', (ctx) => ctx.fx.cadre('inside')),
        check: ({ planBulkReassignment }) => expect(planBulkReassignment).toMatchObject({ state: 'PLANNED', counts: { total: 1, planned: 0 } }),
        outside: [
          forbidden(
            'a household in 溪湖区',
            reassignmentVars('outside', (ctx) => ctx.fx.cadre('inside')),
          ),
          forbidden(
            'a receiving cadre of 溪湖区',
            reassignmentVars('inside', (ctx) => ctx.fx.cadre('outside')),
          ),
          forbidden("the households of a cadre of 溪湖区's unit", async (ctx) => ({
            input: { fromCadreId: await ctx.fx.cadre('outside'), toCadreIds: [await ctx.fx.cadre('inside')], reason: '矩阵测试批量调整' },
          })),
          forbidden("the households of 溪湖区's unit", async (ctx) => ({
            input: { fromUnitId: ctx.seeded.unit.outside, toCadreIds: [await ctx.fx.cadre('inside')], reason: '矩阵测试批量调整' },
          })),
          allowed(
            'a receiving cadre of a city-level unit (above 平山区)',
            reassignmentVars('inside', (ctx) => ctx.fx.cadre('city')),
          ),
        ],
      },
      startBulkRun: {
        who: ADMINS,
        text: 'mutation ($input: BulkRunIdInput!) { startBulkRun(input: $input) { id state } }',
        vars: runVars('inside'),
        check: ({ startBulkRun }) => expect(startBulkRun.state).toBe('RUNNING'),
        outside: [forbidden("a run of 溪湖区's", runVars('outside'))],
      },
      cancelBulkRun: {
        who: ADMINS,
        text: 'mutation ($input: BulkRunIdInput!) { cancelBulkRun(input: $input) { id state } }',
        vars: runVars('inside'),
        check: ({ cancelBulkRun }) => expect(cancelBulkRun.state).toBe('CANCELLED'),
        outside: [forbidden("a run of 溪湖区's", runVars('outside'))],
      },
    },
  };
}

import { FieldReportKind, Role } from '@wanjia/shared';
import { FieldReport } from '../../../src/modules/field-reports/field-report.entity';
import { Household } from '../../../src/modules/households/household.entity';
import type { Ctx, Data, Entry, Probe, VarsOf } from './cases';
import type { Side } from './fixtures';

/**
 * The authorization matrix's entries for issue 16's field-reports operations. A function, not constants: cases.ts
 * calls it while it builds QUERIES and MUTATIONS, after its own helpers (forbidden, empty…) exist.
 *
 * Cadres report on the households they look after and read their own reports; administrators read
 * and decide the reports of their subtree; analysts get nothing here. Every call gets a fresh report
 * (a decided report cannot be decided again), written straight into the database.
 */
export function fieldReportsCases(): { queries: Record<string, Entry>; mutations: Record<string, Entry> } {
  const ADMINS = [Role.ADMIN] as const;
  const CADRES = [Role.CADRE] as const;
  const forbidden = (what: string, vars: VarsOf, caller: 'districtAdmin' | 'cadre' = 'districtAdmin'): Probe => ({ what, vars, caller });

  /** The fixtures' database: fresh reports are written straight into it. */
  const emOf = (ctx: Ctx) => ctx.fx.fork();

  /** A pending PHONE_CHANGED report on a fresh household of the side, by the matrix cadre (inside) or 溪湖区's loop cadre. */
  async function freshReport(ctx: Ctx, side: Side, reporter: 'cadre' | 'outsideCadre' = side === 'inside' ? 'cadre' : 'outsideCadre') {
    const fresh = await ctx.fx.household(side);
    const em = emOf(ctx);
    const household = await em.findOneOrFail(Household, Number(fresh.id), { populate: ['region'] });
    const account = reporter === 'cadre' ? ctx.seeded.cadreAccount : ctx.loop.outsideCadreAccount;
    const report = em.create(FieldReport, {
      kind: FieldReportKind.PHONE_CHANGED,
      household,
      region: household.region,
      headName: household.headName,
      reporterCadre: account.cadre!.id,
      reporterAccount: account.id,
      clientId: ctx.fx.unique('matrix-report-'),
      contentHash: '0'.repeat(64),
      proposal: JSON.stringify({ phone: '13800001111' }),
      reportedAt: new Date(),
    });
    await em.flush();
    return { id: String(report.id), version: fresh.version };
  }

  const phone = (ctx: Ctx) => `1370000${ctx.fx.unique('').padStart(4, '0').slice(-4)}`;
  const reportVars = (householdOf: (ctx: Ctx) => string) => (ctx: Ctx) => ({
    input: { clientId: ctx.fx.unique('matrix-report-'), kind: 'PHONE_CHANGED', householdId: householdOf(ctx), phone: phone(ctx) },
  });
  const approveVars = (side: Side) => async (ctx: Ctx) => {
    const report = await freshReport(ctx, side);
    return { input: { reportId: report.id, expectedVersion: report.version } };
  };
  const rejectVars = (side: Side) => async (ctx: Ctx) => ({ input: { reportId: (await freshReport(ctx, side)).id, reason: '矩阵测试：未核实' } });

  const queries: Record<string, Entry> = {
    myFieldReports: {
      who: CADRES,
      text: '{ myFieldReports(first: 50) { totalCount nodes { id status } } }',
    },
    fieldReports: {
      who: ADMINS,
      text: 'query ($filter: FieldReportFilter) { fieldReports(first: 100, filter: $filter) { totalCount nodes { id region { path } } } }',
      paths: (nodes: Data[]) => nodes.map((node) => node.region.path as string),
      outside: [
        forbidden('reports filtered on 溪湖区', ({ seeded }) => ({ filter: { regionId: seeded.xihuId } })),
        forbidden('reports filtered on the city (above 平山区)', ({ seeded }) => ({ filter: { regionId: seeded.cityId } })),
      ],
    },
    fieldReport: {
      who: [Role.ADMIN, Role.CADRE],
      text: 'query ($id: ID!) { fieldReport(id: $id) { id status proposal { phone } } }',
      vars: async (ctx) => ({ id: (await freshReport(ctx, 'inside')).id }),
      // The reporting cadre reads its phone in full, administrators masked.
      check: ({ fieldReport }, caller) => expect(fieldReport.proposal.phone).toBe(caller === 'cadre' ? '13800001111' : '138****1111'),
      outside: [
        forbidden('a report in 溪湖区', async (ctx) => ({ id: (await freshReport(ctx, 'outside')).id })),
        forbidden("another cadre's report", async (ctx) => ({ id: (await freshReport(ctx, 'outside')).id }), 'cadre'),
      ],
    },
  };

  const mutations: Record<string, Entry> = {
    reportFieldChange: {
      who: CADRES,
      text: 'mutation ($input: ReportFieldChangeInput!) { reportFieldChange(input: $input) { id status } }',
      vars: reportVars(({ seeded }) => seeded.cadreHousehold),
      outside: [
        forbidden(
          'a household it does not (or no longer) look after',
          reportVars(({ seeded }) => seeded.otherHousehold),
          'cadre',
        ),
      ],
    },
    withdrawFieldReport: {
      who: CADRES,
      text: 'mutation ($input: WithdrawFieldReportInput!) { withdrawFieldReport(input: $input) { id status } }',
      vars: async (ctx) => ({ input: { reportId: (await freshReport(ctx, 'inside', 'cadre')).id } }),
      outside: [forbidden("another cadre's report", async (ctx) => ({ input: { reportId: (await freshReport(ctx, 'outside')).id } }), 'cadre')],
    },
    approveFieldReport: {
      who: ADMINS,
      text: 'mutation ($input: ApproveFieldReportInput!) { approveFieldReport(input: $input) { id status } }',
      vars: approveVars('inside'),
      check: ({ approveFieldReport }) => expect(approveFieldReport.status).toBe('APPROVED'),
      outside: [forbidden('a report in 溪湖区', approveVars('outside'))],
    },
    rejectFieldReport: {
      who: ADMINS,
      text: 'mutation ($input: RejectFieldReportInput!) { rejectFieldReport(input: $input) { id status } }',
      vars: rejectVars('inside'),
      check: ({ rejectFieldReport }) => expect(rejectFieldReport.status).toBe('REJECTED'),
      outside: [forbidden('a report in 溪湖区', rejectVars('outside'))],
    },
  };
  return { queries, mutations };
}

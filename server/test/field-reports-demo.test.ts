import { FieldReportKind, FieldReportStatus, NoticeKind, Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { FieldReport } from '../src/modules/field-reports/field-report.entity';
import { Household } from '../src/modules/households/household.entity';
import { Notice } from '../src/modules/notices/notice.entity';
import { DEFAULT_DEMO_OPTIONS, DEMO_PASSWORDS, seedDemoData, type DemoResult } from '../src/seed/demo/demo-data';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { authorizationFor } from './support/factories';
import { signIn, startApp, type RunningApp } from './support/server';

/**
 * The demo's field reports (变更报告): made by the demo cadres with sign-ins through the field-reports
 * service, so that what the administrators' inbox and the cadres' 我的变更报告 show on a fresh demo is
 * what the API would have written: approvals changed the household files, decisions sent notices,
 * every step is audited.
 */

type Data = Record<string, any>;

const INBOX = `{ fieldReports(first: 50) { totalCount nodes { id kind status headName decisionNote reporterName
  household { id phone address } proposal { phone address residentName name birthYear birthDate } } } }`;
const MINE = '{ myFieldReports(first: 50) { totalCount nodes { id kind status decisionNote proposal { address phone } } } }';

describe.each(databaseKinds())('demo field reports on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let result: DemoResult;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'demo_field_reports'));
    result = await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 120 });
    server = await startApp(orm, database);
  }, 240_000);

  afterAll(async () => {
    await server?.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  async function ok(headers: Record<string, string>, query: string): Promise<Data> {
    const body = await server.graphql<Data>(query, {}, headers);
    if (body.errors?.length || !body.data) throw new Error(`expected an answer, got ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  it('puts pending, approved and rejected reports of the demo cadres in the city administrator’s inbox, counted as the seed says', async () => {
    const admin = await signIn(server, 'admin', DEMO_PASSWORDS.admin);
    const inbox = (await ok(admin, INBOX)).fieldReports;
    expect(result.counts.fieldReports).toBe(5);
    expect(inbox.totalCount).toBe(5);
    expect(await orm.em.fork().count(FieldReport)).toBe(5);
    const statuses = inbox.nodes.map((node: Data) => node.status).sort();
    expect(statuses).toEqual([
      FieldReportStatus.APPROVED,
      FieldReportStatus.APPROVED,
      FieldReportStatus.PENDING,
      FieldReportStatus.PENDING,
      FieldReportStatus.REJECTED,
    ]);
    // Pending first: the inbox is a work list.
    expect(inbox.nodes.slice(0, 2).map((node: Data) => node.status)).toEqual([FieldReportStatus.PENDING, FieldReportStatus.PENDING]);
    const rejected = inbox.nodes.find((node: Data) => node.status === FieldReportStatus.REJECTED);
    expect(rejected).toMatchObject({ kind: FieldReportKind.HARDSHIP_ENDED, decisionNote: expect.stringContaining('继续帮扶') });
    // The administrator reads the proposed phone masked, as on the household's file; the birth as its year.
    const phone = inbox.nodes.find((node: Data) => node.kind === FieldReportKind.PHONE_CHANGED);
    expect(phone.proposal.phone).toMatch(/^1\d{2}\*{4}\d{4}$/);
    expect(phone.household.phone).toBe(phone.proposal.phone);
    const born = inbox.nodes.find((node: Data) => node.kind === FieldReportKind.MEMBER_BORN);
    expect(born.proposal).toMatchObject({ birthDate: null, birthYear: expect.any(Number) });
  });

  it('has 平山区’s administrator read and decide those of its district (the narrowest administrator whose scope holds them)', async () => {
    const district = await signIn(server, 'pingshan-admin', DEMO_PASSWORDS['pingshan-admin']);
    const inbox = (await ok(district, '{ fieldReports(first: 50) { totalCount nodes { region { path } } } }')).fieldReports;
    // The demo cadres with sign-ins look after households of 平山区 (the development sign-in's first accounts).
    expect(inbox.totalCount).toBe(5);
    for (const node of inbox.nodes) expect(node.region.path).toMatch(/^210500000000\/210502000000\//);
    const decided = await orm.em.fork().find(FieldReport, { decided: true }, { populate: ['decidedBy'] });
    expect(decided.map((report) => report.decidedBy?.username)).toEqual(['pingshan-admin', 'pingshan-admin', 'pingshan-admin']);
  });

  it('applied the approvals to the household files through the households service, with their audit entries and the cadres’ notices', async () => {
    const em = orm.em.fork();
    const approved = await em.find(FieldReport, { status: FieldReportStatus.APPROVED }, { populate: ['household'], orderBy: { id: 'asc' } });
    expect(approved.map((report) => report.kind).sort()).toEqual([FieldReportKind.HOUSEHOLD_MOVED, FieldReportKind.PHONE_CHANGED]);
    for (const report of approved) {
      const proposal = JSON.parse(report.proposal) as { phone?: string; address?: string };
      const household = await em.findOneOrFail(Household, report.household!.id);
      if (report.kind === FieldReportKind.PHONE_CHANGED) expect(household.phone).toBe(proposal.phone);
      else expect(household.address).toBe(proposal.address);
      // A version later than the seed's: the change went through the optimistic lock.
      expect(household.version).toBeGreaterThan(1);
      expect(await em.count(AuditEntry, { operation: 'updateHousehold', entityId: String(household.id) })).toBe(1);
    }
    const operations = (await em.find(AuditEntry, { entityName: 'FieldReport' })).map((entry) => entry.operation).sort();
    expect(operations).toEqual(['approveFieldReport', 'approveFieldReport', 'rejectFieldReport', ...Array(5).fill('reportFieldChange')].sort());
    // Each decision told its cadre; the pending ones told nobody yet.
    expect(await em.count(Notice, { kind: NoticeKind.FIELD_REPORT_DECIDED })).toBe(3);
  });

  it('shows each demo cadre its own reports, with its own phone in full', async () => {
    const cadres = await orm.em.fork().find(UserAccount, { role: Role.CADRE }, { populate: ['cadre'], orderBy: { id: 'asc' } });
    const seen: number[] = [];
    for (const account of cadres) {
      const mine = (await ok(await authorizationFor(account, server), MINE)).myFieldReports;
      seen.push(mine.totalCount);
      const own = await orm.em.fork().count(FieldReport, { reporterCadre: account.cadre!.id });
      expect(mine.totalCount).toBe(own);
      for (const node of mine.nodes) if (node.kind === FieldReportKind.PHONE_CHANGED) expect(node.proposal.phone).toMatch(/^1\d{10}$/);
    }
    // The first demo cadre (whom the app's tests sign in as) starts with none.
    expect(seen).toEqual([0, 2, 3]);
  });

  it('writes the same reports for the same seed: fixed clientIds and days before the demo’s today', async () => {
    const reports = await orm.em.fork().find(FieldReport, {}, { orderBy: { id: 'asc' } });
    expect(reports.map((report) => report.clientId)).toEqual([1, 2, 3, 4, 5].map((n) => `demo-field-report-${DEFAULT_DEMO_OPTIONS.seed}-${n}`));
    for (const report of reports) expect(report.reportedAt.getTime()).toBeLessThan(DEFAULT_DEMO_OPTIONS.today.getTime());
  });
});

import { FieldReportKind, Gender, HouseholdStatus, RegionLevel, ResidentRelation, Role } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { DAY_MS, shanghaiDate } from '../../core/time';
import type { UserAccount } from '../../modules/accounts/user-account.entity';
import { Assignment } from '../../modules/assignments/assignment.entity';
import { actorOf } from '../../modules/auth/auth.service';
import { fieldReportService } from '../../modules/field-reports/field-report.service';
import type { ResidentWriter } from '../../modules/households/duplicate-id-guard';
import { Household } from '../../modules/households/household.entity';
import { Resident } from '../../modules/households/resident.entity';

/**
 * Field reports (变更报告, issue 16) in the demo: a few changes the three demo cadres with sign-ins
 * reported on households they look after, some approved, one rejected, some still in the
 * administrators' inbox. Unlike the rest of the demo they are written through the field-reports
 * service, as a cadre and an administrator would over the API: an approval changes the household
 * file through the households service (its version, its audit entries), the decision sends the
 * cadre its notice (消息), and every step is audited. Times are fixed days before the demo's today,
 * and the clientIds are fixed, so the same seed gives the same reports.
 *
 * The second and third demo cadres report; the first (the development sign-in's first) does not: the
 * tests that sign in as it (the cadre app's browser tests, the privacy scan's cadre walk, the
 * authorization matrix) start from a cadre with no reports, as a cadre on its first day is.
 */

const HOUR_MS = 60 * 60 * 1000;

/** The demo writes no ID numbers here, so the duplicate-ID-number guard's budget and key are never used. */
const NO_ID_NUMBERS = { hitsPerDay: 0, secret: 'demo-field-reports-write-no-id-numbers' };

type Plan =
  | { cadre: 1 | 2; nth: number; kind: FieldReportKind; daysAgo: number; decision: 'approve' | 'pending'; note: string; decisionNote?: string }
  | { cadre: 1 | 2; nth: number; kind: FieldReportKind; daysAgo: number; decision: 'reject'; note: string; decisionNote: string };

/** The reports: which cadre, which of its households (by position), what, and how it was decided. */
const PLAN: Plan[] = [
  { cadre: 1, nth: 0, kind: FieldReportKind.PHONE_CHANGED, daysAgo: 6, decision: 'approve', note: '户主换了新手机号', decisionNote: '已电话核实' },
  { cadre: 1, nth: 1, kind: FieldReportKind.MEMBER_MOVED_OUT, daysAgo: 2, decision: 'pending', note: '随子女到沈阳居住，户口已迁出' },
  { cadre: 2, nth: 0, kind: FieldReportKind.HOUSEHOLD_MOVED, daysAgo: 9, decision: 'approve', note: '老房漏雨，搬到本村亲戚家居住' },
  { cadre: 2, nth: 1, kind: FieldReportKind.MEMBER_BORN, daysAgo: 3, decision: 'pending', note: '新生儿，出生证明已拍照' },
  {
    cadre: 2,
    nth: 0,
    kind: FieldReportKind.HARDSHIP_ENDED,
    daysAgo: 12,
    decision: 'reject',
    note: '儿子已在本溪市区稳定就业',
    decisionNote: '经核实家庭人均收入仍低于低保标准，继续帮扶',
  },
];

/** The account as a request of its own would carry it (the token's actor). */
function callerOf(account: UserAccount): ResidentWriter {
  return { actor: actorOf(account), clientAddress: null, duplicateIds: NO_ID_NUMBERS };
}

/** Another address in the household's own village or community (a move nearby, as most are). */
function nearbyAddress(household: Household, seed: number): string {
  const place = household.region;
  const prefix = `${place.parent?.name ?? ''}${place.name}`;
  const address =
    place.level === RegionLevel.COMMUNITY
      ? `${prefix}${1 + (seed % 40)}号楼${1 + (seed % 6)}单元${101 + (seed % 5) * 100}室`
      : `${prefix}${1 + (seed % 9)}组${1 + (seed % 80)}号`;
  return address === household.address ? `${address}附1号` : address;
}

/** A mobile number of the demo's own (Benxi's 0414 in it), not the household's present one. */
function newMobile(household: Household, seed: number): string {
  const phone = `1390414${String(seed % 10_000).padStart(4, '0')}`;
  return phone === household.phone ? `1390415${String(seed % 10_000).padStart(4, '0')}` : phone;
}

/**
 * Writes the plan's reports and decisions. `accounts` are the demo's, written already: the city and
 * 平山区 administrators decide, each report by the narrowest of them whose scope holds it.
 */
export async function seedDemoFieldReports(base: Em, accounts: readonly UserAccount[], today: Date, seed: number): Promise<number> {
  const admins = accounts.filter((account) => account.role === Role.ADMIN && account.scopeRegion);
  const cadreAccounts = accounts.filter((account) => account.role === Role.CADRE && account.cadre);
  let written = 0;
  for (const [index, step] of PLAN.entries()) {
    // A fresh EntityManager per report, as each request has: what an approval changed is read anew.
    const em = base.fork();
    const account = cadreAccounts[step.cadre];
    if (!account) continue;
    const assignments = await em.find(
      Assignment,
      { cadre: account.cadre!.id, endedAt: null, household: { status: HouseholdStatus.ACTIVE } },
      { populate: ['household.region.parent'], orderBy: { household: { id: 'asc' } } },
    );
    const households = assignments.map((assignment) => assignment.household);
    const candidates = step.kind === FieldReportKind.HARDSHIP_ENDED ? households.filter((household) => household.isHardship) : households;
    const household = candidates[step.nth % Math.max(candidates.length, 1)];
    if (!household) continue;
    const reportedAt = new Date(today.getTime() - step.daysAgo * DAY_MS - (3 + index) * HOUR_MS);
    const input: Parameters<typeof fieldReportService.report>[2] = {
      clientId: `demo-field-report-${seed}-${index + 1}`,
      kind: step.kind,
      householdId: String(household.id),
      note: step.note,
    };
    switch (step.kind) {
      case FieldReportKind.HOUSEHOLD_MOVED:
        input.address = nearbyAddress(household, seed + index);
        break;
      case FieldReportKind.PHONE_CHANGED:
        input.phone = newMobile(household, seed + index);
        break;
      case FieldReportKind.MEMBER_BORN:
        input.name = `${household.headName.slice(0, 1)}小宝`;
        input.gender = index % 2 === 0 ? Gender.FEMALE : Gender.MALE;
        input.relation = ResidentRelation.GRANDCHILD;
        input.birthDate = shanghaiDate(new Date(reportedAt.getTime() - 40 * DAY_MS));
        break;
      case FieldReportKind.MEMBER_MOVED_OUT: {
        // A member other than the head, who stays on the file as moved out once approved.
        const member = await em.findOne(
          Resident,
          { household: household.id, relation: { $ne: ResidentRelation.HEAD }, departure: null },
          { orderBy: { id: 'asc' } },
        );
        if (!member) continue;
        input.residentId = String(member.id);
        input.leftOn = shanghaiDate(new Date(reportedAt.getTime() - 5 * DAY_MS));
        break;
      }
    }
    const report = await fieldReportService.report(em, callerOf(account), input, reportedAt);
    written += 1;
    if (step.decision === 'pending') continue;
    const admin = admins
      .filter((candidate) => household.region.path.startsWith(candidate.scopeRegion!.path))
      .sort((a, b) => b.scopeRegion!.path.length - a.scopeRegion!.path.length)[0];
    if (!admin) continue;
    const decidedAt = new Date(reportedAt.getTime() + 26 * HOUR_MS);
    if (step.decision === 'reject') {
      await fieldReportService.reject(em, callerOf(admin), { reportId: String(report.id), reason: step.decisionNote }, decidedAt);
    } else {
      const version = (await em.fork().findOneOrFail(Household, household.id)).version;
      await fieldReportService.approve(
        em,
        callerOf(admin),
        { reportId: String(report.id), expectedVersion: version, note: step.decisionNote ?? null },
        decidedAt,
      );
    }
  }
  return written;
}

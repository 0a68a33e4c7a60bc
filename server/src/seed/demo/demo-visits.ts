import { createHash } from 'node:crypto';
import { AssignmentKind, DemandCategory, DemandEventKind, DemandStatus, HelpKind, HouseholdStatus, Satisfaction } from '@wanjia/shared';
import type { VisitIntervals } from '../../config';
import { shanghaiDate } from '../../core/time';
import { Assignment } from '../../modules/assignments/assignment.entity';
import type { Cadre } from '../../modules/cadres/cadre.entity';
import { DemandEvent } from '../../modules/demands/demand-event.entity';
import { Demand } from '../../modules/demands/demand.entity';
import { HelpRecord } from '../../modules/help-records/help-record.entity';
import type { Household } from '../../modules/households/household.entity';
import { visitSchedule } from '../../modules/my-work/visit-schedule';
import type { Round } from '../../modules/rounds/round.entity';
import { DAY_MS, type DemoRandom } from './demo-random';
import { DEMAND_TEXTS, HELP_SUMMARIES, SCHOOL_HELP_SUMMARY, householdAnswer } from './demo-texts';

/**
 * About one assigned household in eight has slipped past its next visit on the demo's today: what a
 * campaign that works looks like, and enough for the overdue lists to show something.
 */
export const LAPSED_PERCENT = 14;

/** First-round cadres took their households on within five months of the round's start (by the year's end). */
const FIRST_ROUND_UPTAKE_DAYS = 152;

/** What the visits depend on in the households: their visit interval, and who has children at school. */
export interface VisitContext {
  intervals: VisitIntervals;
  withSchoolChildren: ReadonlySet<Household>;
  withOpenPetitionCase: ReadonlySet<Household>;
}

/** The work: assignments of cadres to households, the help records of their visits, and the demands raised. */
export class DemoVisits {
  /** The resolving and the answering visit of each demand the household answered, for its timeline. */
  private readonly answers = new Map<Demand, { resolver: HelpRecord; confirmer: HelpRecord }>();

  constructor(
    private readonly random: DemoRandom,
    private readonly context: VisitContext,
  ) {}

  assignments(households: Household[], cadres: Cadre[], rounds: [Round, Round]): Assignment[] {
    const [first, second] = rounds;
    const active = cadres.filter((cadre) => cadre.active);
    const assignments: Assignment[] = [];
    const firstEnd = new Date(`${first.endsOn}T10:00:00Z`);
    const secondStart = new Date(`${second.startsOn}T01:00:00Z`);
    let next = 0;
    households.forEach((household, index) => {
      const kind = household.isKeyFocus ? AssignmentKind.ONE_TO_ONE : AssignmentKind.REGULAR;
      // Six in ten households were already helped in the first round, by any cadre of the time.
      if (index % 5 < 3) {
        const cadre = cadres[(index * 7) % cadres.length]!;
        const firstStart = new Date(`${first.startsOn}T01:00:00Z`);
        const started = this.random.between(firstStart, new Date(firstStart.getTime() + FIRST_ROUND_UPTAKE_DAYS * DAY_MS));
        assignments.push(this.assignment(cadre, household, first, kind, started, firstEnd, '本轮结束'));
      }
      // One in twenty active households has no cadre yet in the new round: the coverage gap analysts look for.
      if (household.status !== HouseholdStatus.ACTIVE || index % 20 === 19) return;
      let cadre = active[next++ % active.length]!;
      const started = new Date(secondStart.getTime() + this.random.faker.number.int({ min: 0, max: 45 }) * DAY_MS);
      if (index % 33 === 0) {
        // A transfer: the first cadre was moved to other work and handed the household on.
        const transferredAt = new Date(started.getTime() + 60 * DAY_MS);
        const before = this.assignment(cadre, household, second, kind, started, transferredAt, '工作调动');
        assignments.push(before);
        cadre = active[next++ % active.length]!;
        const after = this.assignment(cadre, household, second, kind, transferredAt, null, null);
        after.transferredFrom = before;
        assignments.push(after);
        return;
      }
      assignments.push(this.assignment(cadre, household, second, kind, started, null, null));
    });
    return assignments;
  }

  private assignment(cadre: Cadre, household: Household, round: Round, kind: AssignmentKind, startedAt: Date, endedAt: Date | null, endReason: string | null) {
    const assignment = new Assignment();
    assignment.cadre = cadre;
    assignment.household = household;
    assignment.round = round;
    assignment.kind = kind;
    assignment.startedAt = startedAt;
    assignment.endedAt = endedAt;
    assignment.endReason = endReason;
    return assignment;
  }

  helpRecords(assignments: Assignment[]): HelpRecord[] {
    const { faker, options } = this.random;
    const records: HelpRecord[] = [];
    const lastVisit = new Map<Household, Date>();
    for (const assignment of assignments) {
      const times = assignment.endedAt ? this.pastVisits(assignment, assignment.endedAt) : this.scheduledVisits(assignment, options.today);
      for (const occurredAt of times) {
        const record = this.helpRecord(assignment, occurredAt);
        records.push(record);
        const previous = lastVisit.get(assignment.household);
        if (!previous || previous < occurredAt) lastVisit.set(assignment.household, occurredAt);
        // About one record in fifty is corrected later: a new version supersedes it.
        if (faker.number.int(50) === 0) {
          const correction = this.helpRecord(assignment, occurredAt);
          correction.kinds = record.kinds;
          correction.summary = `${record.summary}（更正金额）`;
          correction.fundsFen = record.fundsFen + 10_000;
          correction.supersedes = record;
          correction.versionNumber = 2;
          record.isLatest = false;
          records.push(correction);
        }
      }
    }
    for (const [household, at] of lastVisit) household.lastVisitAt = at;
    return records;
  }

  /** An ended assignment: a few visits at office hours between its start and its end. */
  private pastVisits(assignment: Assignment, until: Date): Date[] {
    const { faker } = this.random;
    const count = assignment.round.name === '第一轮' ? faker.number.int({ min: 3, max: 6 }) : faker.number.int({ min: 1, max: 3 });
    return Array.from({ length: count }, () => this.random.visitOn(this.random.between(assignment.startedAt, until), until))
      .filter((at) => at >= assignment.startedAt)
      .sort((a, b) => a.getTime() - b.getTime());
  }

  /**
   * An active assignment, walked back from today: the last visit within the household's interval (or,
   * for the lapsed few, well past it), and before it visits at one to three intervals apart, as the
   * campaign's early months were looser than its schedule.
   */
  private scheduledVisits(assignment: Assignment, today: Date): Date[] {
    const { faker } = this.random;
    const household = assignment.household;
    const { intervalDays } = visitSchedule(
      {
        isHardship: household.isHardship,
        isKeyFocus: household.isKeyFocus,
        isPetitioner: household.isPetitioner,
        hasOpenPetitionCase: this.context.withOpenPetitionCase.has(household),
        lastVisitAt: null,
        assignedAt: assignment.startedAt,
      },
      this.context.intervals,
      today,
    );
    const interval = intervalDays * DAY_MS;
    const lapsed = faker.number.int({ min: 0, max: 99 }) < LAPSED_PERCENT;
    const sinceLast = lapsed ? faker.number.float({ min: 1.15, max: 3 }) : faker.number.float({ min: 0.05, max: 0.7 });
    const times: Date[] = [];
    for (let at = today.getTime() - sinceLast * interval; at >= assignment.startedAt.getTime(); at -= faker.number.float({ min: 1, max: 3 }) * interval) {
      const visit = this.random.visitOn(new Date(at), today);
      if (visit >= assignment.startedAt) times.unshift(visit);
    }
    return times;
  }

  private helpRecord(assignment: Assignment, occurredAt: Date): HelpRecord {
    const { faker } = this.random;
    const record = new HelpRecord();
    record.household = assignment.household;
    record.cadre = assignment.cadre;
    record.assignment = assignment;
    record.round = assignment.round;
    record.occurredAt = occurredAt;
    const kinds = new Set<HelpKind>([HelpKind.VISIT]);
    if (faker.number.int(10) < 5) kinds.add(HelpKind.POLICY_EXPLANATION);
    if (faker.number.int(10) < 3) {
      kinds.add(HelpKind.FUNDS);
      record.fundsFen = faker.number.int({ min: 20, max: 300 }) * 1000;
    }
    if (faker.number.int(10) < 3) {
      kinds.add(HelpKind.MATERIALS);
      record.materialsFen = faker.number.int({ min: 10, max: 150 }) * 1000;
    }
    if (faker.number.int(10) < 4) {
      kinds.add(HelpKind.PROBLEM_SOLVED);
      record.problemsSolved = faker.number.int({ min: 1, max: 2 });
    }
    if (faker.number.int(20) === 0) kinds.add(HelpKind.REFERRAL);
    record.kinds = [...kinds];
    const summaries = this.context.withSchoolChildren.has(assignment.household)
      ? HELP_SUMMARIES
      : HELP_SUMMARIES.filter((text) => text !== SCHOOL_HELP_SUMMARY);
    record.summary = faker.helpers.arrayElement(summaries);
    // Around Benxi's centre (41.29°N, 123.77°E).
    record.latitude = Number((41.29 + faker.number.float({ min: -0.35, max: 0.35 })).toFixed(6));
    record.longitude = Number((123.77 + faker.number.float({ min: -0.5, max: 0.9 })).toFixed(6));
    record.clientId = faker.string.uuid();
    record.contentHash = createHash('sha256').update(`${record.clientId}:${record.summary}`).digest('hex');
    return record;
  }

  demands(households: Household[], records: HelpRecord[]): Demand[] {
    const { faker, options } = this.random;
    const latestByHousehold = new Map<Household, HelpRecord[]>();
    for (const record of records) {
      if (!record.isLatest) continue;
      const list = latestByHousehold.get(record.household) ?? [];
      list.push(record);
      latestByHousehold.set(record.household, list);
    }
    // School matters are raised only where a child goes to school.
    const withoutSchool = Object.values(DemandCategory).filter((category) => category !== DemandCategory.EDUCATION);
    const demands: Demand[] = [];
    let answered = 0;
    for (const household of households) {
      const history = (latestByHousehold.get(household) ?? []).sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
      const howMany = faker.helpers.weightedArrayElement([
        { weight: 5, value: 0 },
        { weight: 3, value: 1 },
        { weight: 2, value: 2 },
      ]);
      for (let i = 0; i < howMany; i += 1) {
        const category = faker.helpers.arrayElement(this.context.withSchoolChildren.has(household) ? Object.values(DemandCategory) : withoutSchool);
        const demand = new Demand();
        demand.household = household;
        demand.category = category;
        demand.text = faker.helpers.arrayElement(DEMAND_TEXTS[category]);
        // Raised on one of the last few visits: what is still being worked on.
        const raisedIndex = history.length > 0 ? faker.number.int({ min: Math.max(0, history.length - 6), max: history.length - 1 }) : -1;
        const raisedIn = raisedIndex >= 0 ? history[raisedIndex]! : null;
        demand.raisedIn = raisedIn;
        demand.raisedAt = raisedIn?.occurredAt ?? this.random.between(new Date(options.today.getTime() - 120 * DAY_MS), options.today);
        demand.dueOn = shanghaiDate(new Date(demand.raisedAt.getTime() + 30 * DAY_MS));
        const later = history.slice(raisedIndex + 1);
        const resolver = later.length > 0 && faker.number.int(10) < 7 ? later[0]! : null;
        if (resolver) {
          demand.resolvedBy = resolver;
          demand.resolvedAt = resolver.occurredAt;
          const confirmer = later[1];
          if (confirmer) {
            const answer = householdAnswer(answered);
            answered += 1;
            demand.satisfaction = answer.satisfaction;
            demand.confirmationNote = answer.note;
            this.answers.set(demand, { resolver, confirmer });
            if (answer.satisfaction === Satisfaction.DISSATISFIED) {
              // Reopened: open again, the resolution kept only in the timeline.
              demand.status = DemandStatus.OPEN;
              demand.reopenCount = 1;
              demand.resolvedBy = null;
              demand.resolvedAt = null;
            } else {
              demand.status = DemandStatus.CONFIRMED;
              demand.confirmedAt = confirmer.occurredAt;
            }
          } else {
            demand.status = DemandStatus.RESOLVED;
          }
        } else {
          demand.status = faker.helpers.weightedArrayElement([
            { weight: 5, value: DemandStatus.OPEN },
            { weight: 3, value: DemandStatus.IN_PROGRESS },
            // Once ESCALATED, a status no more (issue 15: escalation is the ladder's rows); the draw stays, so the stream does.
            { weight: 1, value: DemandStatus.OPEN },
          ]);
        }
        demands.push(demand);
      }
    }
    return demands;
  }

  /**
   * Each demand's timeline, as the services would have written it: raised (on its visit), resolved,
   * and the household's answer on the next visit (confirmed, or reopened with its note). No actor:
   * the demo's rows were not recorded through anyone's account.
   */
  demandEvents(demands: readonly Demand[]): DemandEvent[] {
    const events: DemandEvent[] = [];
    const step = (demand: Demand, kind: DemandEventKind, at: Date, helpRecord: HelpRecord | null, answer?: Demand) => {
      const event = new DemandEvent();
      event.demand = demand;
      event.kind = kind;
      event.at = at;
      event.helpRecord = helpRecord;
      event.satisfaction = answer?.satisfaction ?? null;
      event.note = answer?.confirmationNote ?? null;
      events.push(event);
    };
    for (const demand of demands) {
      step(demand, DemandEventKind.RAISED, demand.raisedAt, (demand.raisedIn as HelpRecord | null | undefined) ?? null);
      const answered = this.answers.get(demand);
      const resolver = answered?.resolver ?? (demand.resolvedBy as HelpRecord | null | undefined) ?? null;
      if (resolver) step(demand, DemandEventKind.RESOLVED, resolver.occurredAt, resolver);
      if (answered) {
        const kind = demand.satisfaction === Satisfaction.DISSATISFIED ? DemandEventKind.REOPENED : DemandEventKind.CONFIRMED;
        step(demand, kind, answered.confirmer.occurredAt, answered.resolver, demand);
      }
    }
    return events;
  }
}

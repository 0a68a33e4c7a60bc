import type { VisitIntervals } from '../../config';
import { DAY_MS } from '../../core/time';

export interface VisitScheduleInput {
  isHardship: boolean;
  isKeyFocus: boolean;
  isPetitioner: boolean;
  /** A petitioner household with a petition case still open is visited most often. */
  hasOpenPetitionCase: boolean;
  lastVisitAt: Date | null;
  /** When the cadre took the household on: the clock starts there until the first visit. */
  assignedAt: Date;
}

export interface VisitSchedule {
  intervalDays: number;
  dueAt: Date;
  overdue: boolean;
  /** Whole days since the last visit; null before the first one. */
  daysSinceLastVisit: number | null;
}

/**
 * The visit rule: each target group has its interval (configuration), a household takes the shortest
 * that applies, and the next visit is due that long after the last one (or after the assignment).
 * A petitioner household whose case is closed falls back to the regular hardship interval.
 */
export function visitSchedule(input: VisitScheduleInput, intervals: VisitIntervals, now: Date): VisitSchedule {
  const applicable: number[] = [];
  if (input.isHardship) applicable.push(intervals.hardship);
  if (input.isKeyFocus) applicable.push(intervals.keyFocus);
  if (input.isPetitioner && input.hasOpenPetitionCase) applicable.push(intervals.petitioner);
  const intervalDays = applicable.length > 0 ? Math.min(...applicable) : intervals.hardship;
  const from = input.lastVisitAt ?? input.assignedAt;
  const dueAt = new Date(from.getTime() + intervalDays * DAY_MS);
  return {
    intervalDays,
    dueAt,
    overdue: dueAt.getTime() < now.getTime(),
    daysSinceLastVisit: input.lastVisitAt ? Math.floor((now.getTime() - input.lastVisitAt.getTime()) / DAY_MS) : null,
  };
}

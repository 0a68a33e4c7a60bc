import { DemandCategory } from '@wanjia/shared';
import type { Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError } from '../../core/errors';
import { assertAllowed } from '../../core/policy';
import { recordAudit } from '../audit/audit.service';
import { DemandDeadline } from './demand-deadline.entity';
import { EscalationRung } from './escalation-rung.entity';
import { supervisionPolicy } from './supervision.policy';
import { lockEveryRow } from '../../core/locking';

/** The time limits (calendar days) of a category. */
export interface Deadline {
  demandDays: number;
  referralDays: number;
}

/**
 * The defaults the migration seeds (and SQLite's schema step ensures); used only when a category's row
 * is missing, so that raising a demand never fails for want of configuration.
 */
export const DEFAULT_DEADLINES: Readonly<Record<DemandCategory, Deadline>> = {
  [DemandCategory.LIVELIHOOD]: { demandDays: 15, referralDays: 7 },
  [DemandCategory.HOUSING]: { demandDays: 30, referralDays: 15 },
  [DemandCategory.MEDICAL]: { demandDays: 15, referralDays: 7 },
  [DemandCategory.EMPLOYMENT]: { demandDays: 30, referralDays: 15 },
  [DemandCategory.EDUCATION]: { demandDays: 30, referralDays: 15 },
  [DemandCategory.SOCIAL_SECURITY]: { demandDays: 15, referralDays: 7 },
  [DemandCategory.LEGAL]: { demandDays: 30, referralDays: 15 },
  [DemandCategory.INFRASTRUCTURE]: { demandDays: 30, referralDays: 15 },
  [DemandCategory.OTHER]: { demandDays: 15, referralDays: 7 },
};

export const DEMAND_DAYS_RANGE = { min: 1, max: 180 } as const;
export const REFERRAL_DAYS_RANGE = { min: 1, max: 90 } as const;
/** A rung is reached once a demand is overdue (at least a day past its due date), never on the due day itself. */
export const AFTER_DAYS_RANGE = { min: 1, max: 365 } as const;
export const RUNG_NAME_MAX = 32;

const CATEGORY_ORDER = Object.values(DemandCategory);

function inRange(value: number, range: { min: number; max: number }): boolean {
  return Number.isInteger(value) && value >= range.min && value <= range.max;
}

/** The category's time limits (one indexed lookup on the unique category); the defaults when its row is missing. */
export async function deadlineFor(em: Em, category: DemandCategory): Promise<Deadline> {
  const [row] = await em.execute<{ demand_days: number | string; referral_days: number | string }[]>(
    'select demand_days, referral_days from demand_deadline where category = ?',
    [category],
  );
  return row ? { demandDays: Number(row.demand_days), referralDays: Number(row.referral_days) } : DEFAULT_DEADLINES[category];
}

/** The ladder, lowest rung first. */
export async function ladder(em: Em): Promise<EscalationRung[]> {
  return em.find(EscalationRung, {}, { orderBy: { level: 'asc' }, refresh: true });
}

export interface DeadlineChange {
  category: DemandCategory;
  demandDays: number;
  referralDays: number;
}

export interface RungChange {
  level: number;
  name: string;
  afterDays: number;
}

export const demandDeadlineService = {
  /** Every category's limits, in the enum's order; a category without a row shows the defaults. */
  async list(em: Em, caller: Caller): Promise<DeadlineChange[]> {
    assertAllowed(supervisionPolicy.mayReadLadder(caller.actor));
    const rows = await em.find(DemandDeadline, {}, { refresh: true });
    const byCategory = new Map(rows.map((row) => [row.category, row]));
    return CATEGORY_ORDER.map((category) => {
      const row = byCategory.get(category);
      return { category, ...(row ? { demandDays: row.demandDays, referralDays: row.referralDays } : DEFAULT_DEADLINES[category]) };
    });
  },

  /**
   * 时限: a category's days for a demand (1–180) and for a referral (1–90). City administrators only.
   * Applies to demands raised and referrals made from now on; due dates already set stay (a limit
   * changed is not a reason to move a promise made to a household).
   */
  async set(em: Em, input: DeadlineChange, caller: Caller): Promise<DeadlineChange> {
    assertAllowed(supervisionPolicy.mayManageLadder(caller.actor), "Only the city's administrators set the time limits");
    if (!CATEGORY_ORDER.includes(input.category)) throw new BadUserInputError('input.category', 'category is not a demand category');
    if (!inRange(input.demandDays, DEMAND_DAYS_RANGE)) {
      throw new BadUserInputError('input.demandDays', `demandDays must be a whole number of days from ${DEMAND_DAYS_RANGE.min} to ${DEMAND_DAYS_RANGE.max}`);
    }
    if (!inRange(input.referralDays, REFERRAL_DAYS_RANGE)) {
      throw new BadUserInputError(
        'input.referralDays',
        `referralDays must be a whole number of days from ${REFERRAL_DAYS_RANGE.min} to ${REFERRAL_DAYS_RANGE.max}`,
      );
    }
    return em.transactional(async (tx) => {
      const existing = await tx.findOne(DemandDeadline, { category: input.category }, { refresh: true });
      const before = existing ? { demandDays: existing.demandDays, referralDays: existing.referralDays } : DEFAULT_DEADLINES[input.category];
      if (existing) {
        existing.demandDays = input.demandDays;
        existing.referralDays = input.referralDays;
      } else {
        tx.create(DemandDeadline, { category: input.category, demandDays: input.demandDays, referralDays: input.referralDays });
      }
      recordAudit(tx, caller, {
        operation: 'setDemandDeadline',
        entityName: 'DemandDeadline',
        entityId: input.category,
        regionPath: caller.actor.scopePath,
        changes: { demandDays: [before.demandDays, input.demandDays], referralDays: [before.referralDays, input.referralDays] },
      });
      return { category: input.category, demandDays: input.demandDays, referralDays: input.referralDays };
    });
  },

  async rungs(em: Em, caller: Caller): Promise<EscalationRung[]> {
    assertAllowed(supervisionPolicy.mayReadLadder(caller.actor));
    return ladder(em);
  },

  /**
   * A rung's name (1–32 characters) and threshold (1–365 days past the effective due date, strictly
   * more than the rung below and less than the rung above, so that a lapse climbs one rung at a time).
   * City administrators only. The rungs are locked first (every row, core/locking.ts lockEveryRow), so that two
   * changes at once cannot leave the ladder out of order. Rungs already reached stay as they were.
   */
  async setRung(em: Em, input: RungChange, caller: Caller): Promise<EscalationRung> {
    assertAllowed(supervisionPolicy.mayManageLadder(caller.actor), "Only the city's administrators set the escalation ladder");
    const name = (input.name ?? '').trim();
    if (name.length < 1 || name.length > RUNG_NAME_MAX) throw new BadUserInputError('input.name', `name must be 1 to ${RUNG_NAME_MAX} characters`);
    if (!inRange(input.afterDays, AFTER_DAYS_RANGE)) {
      throw new BadUserInputError('input.afterDays', `afterDays must be a whole number of days from ${AFTER_DAYS_RANGE.min} to ${AFTER_DAYS_RANGE.max}`);
    }
    const id = await em.transactional(async (tx) => {
      await lockEveryRow(tx, EscalationRung);
      const rungs = await tx.find(EscalationRung, {}, { orderBy: { level: 'asc' }, refresh: true });
      const rung = rungs.find((row) => row.level === input.level);
      if (!rung) throw new BadUserInputError('input.level', `level must be one of the ladder's rungs (${rungs.map((row) => row.level).join(', ')})`);
      const below = rungs.filter((row) => row.level < input.level).at(-1);
      const above = rungs.find((row) => row.level > input.level);
      if (below && input.afterDays <= below.afterDays) {
        throw new BadUserInputError('input.afterDays', `afterDays must be more than rung ${below.level}'s (${below.afterDays})`);
      }
      if (above && input.afterDays >= above.afterDays) {
        throw new BadUserInputError('input.afterDays', `afterDays must be less than rung ${above.level}'s (${above.afterDays})`);
      }
      recordAudit(tx, caller, {
        operation: 'setEscalationRung',
        entityName: 'EscalationRung',
        entityId: rung.level,
        regionPath: caller.actor.scopePath,
        changes: { name: [rung.name, name], afterDays: [rung.afterDays, input.afterDays] },
      });
      rung.name = name;
      rung.afterDays = input.afterDays;
      return rung.level;
    });
    return em.findOneOrFail(EscalationRung, { level: id }, { refresh: true });
  },
};

import type { FilterQuery } from '@mikro-orm/core';
import { isAdmin, isCadre, pathInScope, type Actor } from '../../core/caller';
import { NOTHING, type ScopedPolicy } from '../../core/policy';
import { regionSubtree } from '../../core/region-scope';
import type { FieldReport } from './field-report.entity';

/**
 * Who reports changes from the field, who decides on them, and who sees what they carry.
 *
 * | action / field             | CADRE                                   | ADMIN (in scope)            | ANALYST |
 * |----------------------------|-----------------------------------------|-----------------------------|---------|
 * | report                     | households with an active assignment    | —                           | —       |
 * | read (list, one)           | own reports (also after the assignment) | reports of the subtree      | nothing |
 * | approve / reject           | —                                       | reports of the subtree      | —       |
 * | withdraw                   | own pending reports                     | —                           | —       |
 * | proposal's phone, ID no.   | full (what the cadre typed)             | masked as on the household  | —       |
 *
 * "In scope" is the report's region: the household's village when reported, the reported village for
 * a new household. Analysts read figures, not proposals about named people: nothing here.
 */
export const fieldReportPolicy = {
  /** Administrators the reports of their subtree (the inbox index's region); a cadre its own; nobody else anything. */
  scope(actor: Actor): FilterQuery<FieldReport> {
    if (isAdmin(actor)) return { region: regionSubtree(actor) };
    if (isCadre(actor)) return { reporterCadre: actor.cadreId };
    return NOTHING;
  },

  /** A cadre reports on a household it looks after now (an active assignment), or a new household. */
  mayReport(actor: Actor, household: { assignedToCaller: boolean } | 'new'): boolean {
    return isCadre(actor) && (household === 'new' || household.assignedToCaller);
  },

  /** Administrators whose subtree holds the report's region approve or reject it. */
  mayDecide(actor: Actor, report: { regionPath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, report.regionPath);
  },

  /** The reporting cadre withdraws its own report (while pending: the service's rule). */
  mayWithdraw(actor: Actor, report: { reporterCadreId: number }): boolean {
    return isCadre(actor) && actor.cadreId === report.reporterCadreId;
  },

  /** The proposal's phone, ID number and birth date in full: the cadre who typed them. */
  seesProposalInFull(actor: Actor, report: { reporterCadreId: number }): boolean {
    return isCadre(actor) && actor.cadreId === report.reporterCadreId;
  },
} satisfies ScopedPolicy<FieldReport>;

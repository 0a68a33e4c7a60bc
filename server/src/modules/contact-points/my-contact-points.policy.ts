import { isCadre, type Actor } from '../../core/caller';
import type { Policy } from '../../core/policy';

/**
 * 我的联系点 — what a leader reads of their own contact points (联系点, ContactPoint.leader) and the
 * petition cases they are responsible leader of (包案, PetitionCase.responsibleLeader), decided here:
 *
 * - Only their own: the active points (not ended) whose leader is the caller's cadre, and the open cases
 *   (REGISTERED / IN_PROGRESS) that name the caller's cadre as responsible leader. Nobody reads
 *   another leader's list through this query; staff read points with `contactPoints`.
 * - Of each point: the kind's name and the target's name — a region's or unit's name; a household or a
 *   petition case only by its region ("联系户（东兴社区）", "信访案件 #12 东兴社区"), never a head's name.
 *   Its open and overdue demands as counts; its open escalations (rung, target region, leader, lapsed due
 *   date, days overdue) with the demand as a LeaderDemand.
 * - Of each case: a label (id and region), its status and whether it is a major backlog case. Not its
 *   title, demand, resolution or petitioner: the petition-case policy scopes those to whoever may read the
 *   household's file (its cadre, staff of the subtree), and a leader who is not the household's cadre is
 *   outside that scope. The household's open demands and their open escalations, as LeaderDemands.
 * - A LeaderDemand: category, the demand's text, status, raised, due, effective due, overdue, rung. No
 *   household (name, address, phone), residents, ID numbers, key-focus reasons, nor the timeline (its
 *   notes are between the cadre and the units).
 * A leader who is also the household's cadre reads the household as that cadre does, elsewhere.
 */
export const myContactPointsPolicy = {
  /** A cadre, about their own points and cases (a cadre without any gets empty lists). */
  mayReadOwn(actor: Actor): boolean {
    return isCadre(actor);
  },
} satisfies Policy;

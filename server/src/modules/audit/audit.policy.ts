import type { FilterQuery } from '@mikro-orm/core';
import { isAdmin, isRootAdmin, type Actor } from '../../core/caller';
import type { ScopedPolicy } from '../../core/policy';
import { pathSubtree } from '../../core/region-scope';
import type { AuditEntry } from './audit-entry.entity';

/** Who reads the audit trail: administrators, each the entries of their own subtree. */
export const auditPolicy = {
  /**
   * The entries whose row lies in the actor's subtree. City-wide rows (rounds, contact points,
   * sign-ins) carry no region: only the city's administrators read them, with everything else.
   */
  scope(actor: Actor): FilterQuery<AuditEntry> {
    return isRootAdmin(actor) ? {} : { regionPath: pathSubtree(actor) };
  },

  /** The trail says who read whose file: administrators only, never analysts or cadres. */
  mayRead(actor: Actor): boolean {
    return isAdmin(actor);
  },
} satisfies ScopedPolicy<AuditEntry>;

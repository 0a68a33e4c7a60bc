import type { FilterQuery } from '@mikro-orm/core';
import { isAdmin, isRootAdmin, pathInScope, type Actor } from '../../core/caller';
import { NOTHING, type ScopedPolicy } from '../../core/policy';
import { likeStartingWith } from '../../core/sql-like';
import type { DataImport } from './data-import.entity';

/**
 * Who may import (issue 16): administrators, within their scope. An import is reachable only by the
 * administrators whose scope contains the import's scope (the uploader's at upload): a district's imports
 * are its own administrators' and the city's; analysts and cadres reach none (FORBIDDEN, the same answer
 * as for an import that does not exist).
 */
export const importPolicy = {
  scope(actor: Actor): FilterQuery<DataImport> {
    return isAdmin(actor) ? { scopePath: { $like: likeStartingWith(actor.scopePath) } } : NOTHING;
  },

  /** Uploading a file, downloading the templates: administrators. */
  mayImport(actor: Actor): boolean {
    return isAdmin(actor);
  },

  /** Reading, accepting warnings, committing, cancelling, the report: administrators whose scope holds the import's. */
  mayManage(actor: Actor, dataImport: { scopePath: string }): boolean {
    return isAdmin(actor) && pathInScope(actor, dataImport.scopePath);
  },

  /**
   * Where a duplicate elsewhere in the city is (DUPLICATE_ELSEWHERE's region): the city's administrators
   * only. A district's administrator is told that the person is registered elsewhere, never where.
   */
  seesElsewhere(actor: Actor): boolean {
    return isRootAdmin(actor);
  },
} satisfies ScopedPolicy<DataImport>;

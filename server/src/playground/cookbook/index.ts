import { isAdmin, isStaff, type Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { administrationChapters } from './administration-chapters';
import { figureChapters, gettingStarted } from './figure-chapters';
import { freshStamp } from './fresh-values';
import { loopChapters } from './loop-chapters';
import { findPracticeAccount } from './practice-account';
import type { CookbookChapter } from './recipe';
import { loadScopeFacts } from './scope-facts';

export type { CookbookChapter, CookbookRecipe } from './recipe';
export { practiceUsername } from './practice-account';

/**
 * 办事指南: the saved operations of an office's real tasks, grouped by task, for this caller. Only
 * what the caller's role and scope may do is in it (an analyst gets the figures, the lists and the
 * exports; no administration). Every recipe's variables are rows of the caller's scope, read now,
 * and values that must be new (names, codes, ID numbers) are made fresh on each render, so that each
 * recipe runs as it is: server/test/cookbook.test.ts runs every one as each demo account.
 *
 * Read-only: it runs on every GET of the IDE page, so it writes nothing (not even the practice
 * account: the account chapter offers a recipe that creates it), and each of its queries is bounded.
 * Variables carry ids, codes and sample values, not residents' names, phones, ID numbers or addresses:
 * the browser keeps the cookbook in IndexedDB. Cadres have the mini-program and no cookbook (an empty list).
 */
export async function cookbookFor(em: Em, actor: Actor, now: Date = new Date()): Promise<CookbookChapter[]> {
  if (!isStaff(actor)) return [];
  const facts = await loadScopeFacts(em, actor, now);
  const stamp = freshStamp(now);
  const administration = isAdmin(actor) ? await administrationChapters(em, facts, await findPracticeAccount(em, actor, facts.scope), stamp, now) : [];
  return [gettingStarted(facts), ...administration, ...(await loopChapters(em, facts, stamp)), ...figureChapters(facts)];
}

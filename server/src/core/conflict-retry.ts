import { DeadlockException, helper, TransactionPropagation, type AnyEntity, type EntityData, type TransactionOptions } from '@mikro-orm/core';
import { SqlEntityManager } from '@mikro-orm/knex';

/** Where the retry reports (pino's shape; set once per process, see `conflictRetrySettings`). */
export interface ConflictRetryLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/**
 * How conflicting transactions are run again. `retries` is set once by createOrm from
 * DATABASE_CONFLICT_RETRIES; `logger` by the process entry (main.ts) — without one the retry still
 * happens and is counted, only not logged.
 */
export const conflictRetrySettings: { retries: number; logger: ConflictRetryLogger | null; backoffMs: number } = {
  retries: 4,
  logger: null,
  /** The first wait before a re-run; doubled for each further one (at most 16 times this), jittered. */
  backoffMs: 20,
};

/** Process-wide counts since start, for the logs and the tests (each log line carries them too). */
export const conflictRetryCounts = {
  /** Attempts refused by a conflict and run again. */
  retried: 0,
  /** Transactions that still conflicted after the last allowed retry (the error went to the caller). */
  exhausted: 0,
  /** Conflicts not retried because the refused attempt changed entities the caller held before it. */
  unsafe: 0,
};

/** The message every retry's log line carries (the cluster test counts them). */
export const CONFLICT_RETRIED_MESSAGE = 'transaction conflict: running the transaction again';

/**
 * A conflict the database resolved by refusing this transaction as a whole: InnoDB's deadlock victim
 * (1213, the whole transaction rolled back) and, on Galera, the loser of certification (or a local
 * transaction aborted by a replicated one), which MariaDB reports with the same 1213 at COMMIT or at
 * the next statement. Running the whole transaction again is what the server asks for ("try
 * restarting transaction").
 *
 * A lock wait timeout (1205) is not retried: InnoDB rolls back only the statement, the request has
 * already waited innodb_lock_wait_timeout, and a second wait of that length would outlast the
 * client's own timeout; it reaches the caller as before.
 */
export function isConflict(error: unknown): boolean {
  if (error instanceof DeadlockException) return true;
  const { errno, code } = (error ?? {}) as { errno?: unknown; code?: unknown };
  return errno === 1213 || code === 'ER_LOCK_DEADLOCK';
}

/**
 * The propagations under which a call with no transaction open starts one of its own (MikroORM's
 * TransactionManager: NESTED, its default, and REQUIRED begin one; REQUIRES_NEW always does). The
 * others run without a transaction, where a conflict leaves earlier statements committed.
 */
const STARTS_A_TRANSACTION = new Set<TransactionPropagation | undefined>([
  undefined,
  TransactionPropagation.NESTED,
  TransactionPropagation.REQUIRED,
  TransactionPropagation.REQUIRES_NEW,
]);

/**
 * The EntityManager class the ORM makes (db/orm.ts `entityManager`; every fork is one too). Its
 * `transactional` runs the OUTERMOST transaction again when the database refuses it by a conflict
 * (`isConflict`), at COMMIT or at any statement before it: at most `conflictRetrySettings.retries`
 * times, after a short jittered wait, each time logged. A nested `transactional` (a savepoint inside
 * an open transaction) is never re-run on its own: the conflict rolled back the whole transaction,
 * savepoints included, so it reaches the outermost call, which runs the callback — nested calls and
 * all — from the start.
 *
 * Each attempt starts from the caller's state before the first one. MikroORM (TransactionManager)
 * runs the callback on a fork that shares the caller's entity objects, and merges what the attempt
 * loaded and created into the caller BEFORE it sends COMMIT, so a refused attempt leaves behind
 * entities whose rows were rolled back (with their ids) and entities whose recorded database state
 * is the refused flush's. Before a re-run those are undone: entities the attempt created or loaded
 * are taken out of the caller's unit of work (which also takes them out of the caller's entities'
 * collections), and the recorded database state of those the caller held is put back.
 *
 * If the attempt changed an entity the caller held (a callback that edits an entity loaded outside
 * the transaction; or the caller had unflushed edits of its own, which the attempt flushed — the two
 * are not told apart), a re-run could apply an edit twice; if it deleted one, the caller would keep
 * an entity its unit of work forgot. (An entity the caller held only as a reference, which the attempt
 * loaded, is compared with its row read again after the rollback.) Such a conflict is not retried: it goes to the caller as before,
 * counted as `unsafe` and logged. The cadres' submissions and corrections read and create what they write
 * through their own `tx`. A callback that may run again must make no side effect outside the
 * database (Redis, WeChat, files): those belong after the transaction or in the outbox (docs/galera.md).
 */
export class ConflictRetryingEntityManager extends SqlEntityManager {
  override async transactional<T>(cb: (em: this) => T | Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const em = this.getContext(false);
    const outermost =
      !em.isInTransaction() && !options.ctx && STARTS_A_TRANSACTION.has(options.propagation) && !transactionsDisabled(this) && !transactionsDisabled(em);
    if (!outermost) return super.transactional(cb, options);
    for (let attempt = 1; ; attempt += 1) {
      const before = callerState(em);
      const attemptFork: { em: SqlEntityManager | null } = { em: null };
      try {
        // A fresh copy of the options each time: MikroORM fills in `ctx` and `propagation` on the object it is given.
        return await super.transactional((tx) => {
          attemptFork.em = tx;
          return cb(tx);
        }, { ...options });
      } catch (error) {
        if (!isConflict(error)) throw error;
        const restored = await restoreCallerState(em, before, attemptFork.em);
        const details = { attempt, retries: conflictRetrySettings.retries, errno: (error as { errno?: unknown }).errno ?? 1213 };
        if (!restored) {
          conflictRetryCounts.unsafe += 1;
          conflictRetrySettings.logger?.warn({ ...details, ...conflictRetryCounts }, 'transaction conflict not retried: the refused attempt changed entities loaded before the transaction');
          throw error;
        }
        if (attempt > conflictRetrySettings.retries) {
          conflictRetryCounts.exhausted += 1;
          conflictRetrySettings.logger?.warn({ ...details, ...conflictRetryCounts }, 'transaction conflict: retries exhausted, the error goes to the caller');
          throw error;
        }
        conflictRetryCounts.retried += 1;
        const waitMs = backoff(attempt);
        conflictRetrySettings.logger?.warn({ ...details, waitMs, ...conflictRetryCounts }, CONFLICT_RETRIED_MESSAGE);
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }
}

/**
 * A fork made with `disableTransactions` runs the callback without a transaction (MikroORM's
 * `transactional` then just calls it): a conflict there left the statements before it committed,
 * so running it again is not safe. (MikroORM keeps the flag private.)
 */
function transactionsDisabled(em: SqlEntityManager): boolean {
  return (em as unknown as { disableTransactions?: boolean }).disableTransactions === true;
}

/** Full jitter around an exponential step: conflicting writers spread out instead of meeting again. */
function backoff(attempt: number): number {
  const step = conflictRetrySettings.backoffMs * 2 ** Math.min(attempt - 1, 4);
  return Math.round(step * (0.5 + Math.random()));
}

interface CallerState {
  /** Each entity the caller held, with a copy of its recorded database state (what a flush diffs against). */
  held: Map<AnyEntity, EntityData<AnyEntity> | undefined>;
  /** Held entities that were references only (a relation's id, not loaded): an attempt may load them. */
  references: Set<AnyEntity>;
  /** Entities the caller had persisted but not flushed. */
  pending: Set<AnyEntity>;
}

function callerState(em: SqlEntityManager): CallerState {
  const unitOfWork = em.getUnitOfWork(false);
  const held = new Map<AnyEntity, EntityData<AnyEntity> | undefined>();
  const references = new Set<AnyEntity>();
  for (const entity of unitOfWork.getIdentityMap()) {
    const wrapped = helper(entity);
    const original = wrapped.__originalEntityData;
    held.set(entity, original ? { ...original } : undefined);
    if (!wrapped.__initialized) references.add(entity);
  }
  return { held, references, pending: new Set(unitOfWork.getPersistStack()) };
}

/**
 * Puts the caller's unit of work back as it was before the refused attempt. False when that cannot be
 * done faithfully: the attempt changed or deleted an entity the caller held, or inserted one the
 * caller had persisted but not flushed (it now carries the id of a row that was rolled back).
 */
async function restoreCallerState(em: SqlEntityManager, before: CallerState, attemptFork: SqlEntityManager | null): Promise<boolean> {
  const unitOfWork = em.getUnitOfWork(false);
  const comparator = em.getComparator();
  let faithful = true;
  // What the attempt made or loaded: merged into the caller (a refusal at COMMIT) or still only in
  // its fork (a refusal at a statement), either way possibly added to the caller's entities' collections.
  const fromAttempt = new Set<AnyEntity>(unitOfWork.getIdentityMap());
  if (attemptFork) {
    for (const entity of attemptFork.getUnitOfWork(false).getIdentityMap()) fromAttempt.add(entity);
    for (const entity of attemptFork.getUnitOfWork(false).getPersistStack()) fromAttempt.add(entity);
  }
  for (const entity of fromAttempt) {
    if (before.held.has(entity)) continue;
    if (before.pending.has(entity)) faithful = false;
    unitOfWork.unsetIdentity(entity);
  }
  const present = new Set<AnyEntity>(unitOfWork.getIdentityMap());
  for (const [entity, original] of before.held) {
    if (!present.has(entity)) {
      faithful = false;
      continue;
    }
    const wrapped = helper(entity);
    if (before.references.has(entity) && wrapped.__initialized) {
      // A reference the attempt loaded (the region of a household, say): its recorded state before was
      // its id alone, so it says nothing about what the attempt did to it. Read again, outside the
      // rolled-back transaction: if its values are the row's, the attempt only loaded it, and the row
      // becomes its recorded state; if not, the attempt (or a writer since) changed it.
      if (!(await matchesStoredRow(em, entity))) faithful = false;
      continue;
    }
    if (original && wrapped.__initialized) {
      const changes = comparator.getEntityComparator(wrapped.__meta.className)(original, comparator.prepareEntity(entity));
      if (Object.keys(changes).length > 0) faithful = false;
    }
    wrapped.__originalEntityData = original;
  }
  return faithful;
}

/** Whether an entity's values are its row's as stored now; if so, that row becomes its recorded database state. */
async function matchesStoredRow(em: SqlEntityManager, entity: AnyEntity): Promise<boolean> {
  const wrapped = helper(entity);
  const stored = await em.fork({ clear: true }).findOne(wrapped.__meta.class, wrapped.getPrimaryKey() as never);
  if (!stored) return false;
  const comparator = em.getComparator();
  const changes = comparator.getEntityComparator(wrapped.__meta.className)(comparator.prepareEntity(stored), comparator.prepareEntity(entity));
  if (Object.keys(changes).length > 0) return false;
  wrapped.__originalEntityData = { ...helper(stored).__originalEntityData };
  return true;
}

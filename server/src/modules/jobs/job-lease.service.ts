import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em } from '../../core/entity-manager';
import { JobLease } from './job-lease.entity';

export type LeasedRun<T> = { ran: true; result: T } | { ran: false };

/** Galera refuses the later of two conflicting commits at COMMIT with 1213: that run simply lost the race. */
function isDeadlock(error: unknown): boolean {
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  return code === 'ER_LOCK_DEADLOCK' || errno === 1213 || (error instanceof Error && error.name === 'DeadlockException');
}

/**
 * Runs `work` if this owner takes the job's lease: a conditional UPDATE (owner, lease_until) on the
 * job's row that only succeeds where no live lease is held, so of any number of instances ticking at
 * once exactly one runs the job; the others answer `{ ran: false }`. No GET_LOCK, no table locks:
 * the same on SQLite, MariaDB and a Galera cluster (where a conflicting node's UPDATE fails at commit).
 *
 * The lease ends when the work ends (released, last_finished_at set) or, if the holder dies, when
 * lease_until passes. With `renewal`, the holder moves lease_until on every `everyMs` while the work
 * goes on, so a run may take longer than `leaseMs` and `leaseMs` only bounds how long a holder that
 * was killed mid-run keeps the job from the other instances; without it, `leaseMs` must be longer
 * than a run takes. `now` is the injected clock's; the finish time is that plus the run's own duration.
 */
export async function runLeased<T>(
  em: Em,
  name: string,
  owner: string,
  now: Date,
  leaseMs: number,
  work: () => Promise<T>,
  renewal?: LeaseRenewal,
): Promise<LeasedRun<T>> {
  const fork = em.fork();
  if (!(await fork.findOne(JobLease, { name }))) {
    try {
      await fork.insert(JobLease, { name, owner: null, leaseUntil: null });
    } catch (error) {
      // Another instance made the row first; the UPDATE below decides who runs.
      if (!(error instanceof UniqueConstraintViolationException) && !isDeadlock(error)) throw error;
    }
  }
  let taken: number;
  try {
    taken = await fork.nativeUpdate(
      JobLease,
      { name, $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] },
      { owner, leaseUntil: new Date(now.getTime() + leaseMs), lastStartedAt: now },
    );
  } catch (error) {
    if (isDeadlock(error)) return { ran: false };
    throw error;
  }
  if (taken === 0) return { ran: false };
  const started = Date.now();
  const renewing = renewal ? renewWhileRunning(em.fork(), name, owner, leaseMs, renewal) : null;
  try {
    return { ran: true, result: await work() };
  } finally {
    await renewing?.stop();
    await fork.nativeUpdate(JobLease, { name, owner }, { owner: null, leaseUntil: null, lastFinishedAt: new Date(now.getTime() + (Date.now() - started)) });
  }
}

/** How a holder keeps its lease while a run goes on. */
export interface LeaseRenewal {
  /** How often lease_until is moved to `now() + leaseMs` (well inside leaseMs). */
  everyMs: number;
  /** The injected clock's time. */
  now: () => Date;
  /** Told when a renewal fails (the database away): the lease lapses after leaseMs unless a later one succeeds. */
  onError?: (error: unknown) => void;
}

function renewWhileRunning(em: Em, name: string, owner: string, leaseMs: number, renewal: LeaseRenewal): { stop(): Promise<void> } {
  let pending: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(() =>
      em
        .nativeUpdate(JobLease, { name, owner }, { leaseUntil: new Date(renewal.now().getTime() + leaseMs) })
        .catch((error: unknown) => renewal.onError?.(error)),
    );
  }, renewal.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await pending;
    },
  };
}

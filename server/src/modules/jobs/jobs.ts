import { advanceBulkRuns } from '../bulk-runs/bulk-run.worker';
import { escalateLapsedDemands } from '../demands/escalation.service';
import { deliverPendingNotices } from '../notices/notice-delivery.worker';
import { noticeVisitsDue } from '../notices/notice-visits-due';
import { importEngineOf } from '../imports/import-engine';
import type { Job } from './scheduler';

const MAX_SWEEP_CHUNKS_PER_TICK = 20;
/**
 * How long an instance killed in the middle of a job keeps that job from the others (the scheduler
 * renews the lease of a living holder every third of it, whatever the run's length): a minute, not the
 * ten minutes a lease had to last when it was not renewed, during which no notice went out anywhere.
 */
export const JOB_LEASE_MS = 60_000;
/** 100 batches of 500: a city round's ~50,000 assignments in a tick, without holding the other jobs up for long. */
const BULK_RUN_BATCHES_PER_TICK = 100;

/**
 * Composition file: the scheduled jobs main.ts hands the scheduler, in the order a tick runs them
 * (the sweep first, so that its notices go out in the same tick's delivery).
 */
export const JOBS: readonly Job[] = [
  {
    name: 'escalation-sweep',
    leaseMs: JOB_LEASE_MS,
    // The sweep works in bounded chunks; a tick takes up to 20 of them, the next tick the rest.
    async run(em, now) {
      let escalated = 0;
      for (let chunk = 0; chunk < MAX_SWEEP_CHUNKS_PER_TICK; chunk += 1) {
        const outcome = await escalateLapsedDemands(em.fork(), now);
        escalated += outcome.escalated;
        if (!outcome.more) break;
      }
      return { escalated };
    },
  },
  {
    name: 'notice-delivery',
    leaseMs: JOB_LEASE_MS,
    // Each row's lease is renewed from the clock just before its send: a slow batch never sends a row twice.
    run: (em, now, { config, logger, owner, clock }) => deliverPendingNotices(em, config, now, owner, { logger, clock }),
  },
  { name: 'visits-due', leaseMs: JOB_LEASE_MS, run: (em, now, { config }) => noticeVisitsDue(em, now, config.visitIntervals) },
  {
    name: 'bulk-runs',
    leaseMs: JOB_LEASE_MS,
    // Each run has a lease of its own, renewed per batch: a run whose instance died is resumed here after it lapses.
    run: (em, _now, { owner, clock }) => advanceBulkRuns(em, { owner, clock, maxBatches: BULK_RUN_BATCHES_PER_TICK }),
  },
  // Imports whose instance died mid-check or mid-commit (their lease lapsed) are resumed here (issue 16).
  { name: 'import-resume', leaseMs: JOB_LEASE_MS, run: (_em, _now, { config }) => importEngineOf(config).resumeLapsed() },
];

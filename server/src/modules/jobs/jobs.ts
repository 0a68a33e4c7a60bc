import { escalateLapsedDemands } from '../demands/escalation.service';
import { deliverPendingNotices } from '../notices/notice-delivery.worker';
import { noticeVisitsDue } from '../notices/notice-visits-due';
import type { Job } from './scheduler';

const MAX_SWEEP_CHUNKS_PER_TICK = 20;

/**
 * Composition file: the scheduled jobs main.ts hands the scheduler, in the order a tick runs them
 * (the sweep first, so that its notices go out in the same tick's delivery).
 */
export const JOBS: readonly Job[] = [
  {
    name: 'escalation-sweep',
    leaseMs: 10 * 60_000,
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
    leaseMs: 10 * 60_000,
    // Each row's lease is renewed from the clock just before its send: a slow batch never sends a row twice.
    run: (em, now, { config, logger, owner, clock }) => deliverPendingNotices(em, config, now, owner, { logger, clock }),
  },
  { name: 'visits-due', leaseMs: 10 * 60_000, run: (em, now, { config }) => noticeVisitsDue(em, now, config.visitIntervals) },
];

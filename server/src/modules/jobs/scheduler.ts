import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../config';
import type { Clock } from '../../core/clock';
import type { Em, Orm } from '../../core/entity-manager';
import type { Logger } from '../../logger';
import { runLeased } from './job-lease.service';

export interface JobContext {
  config: AppConfig;
  logger: Logger;
  /** This instance's name in leases (host, process, a nonce). */
  owner: string;
  /** The scheduler's clock, for a job that must read the time as it goes on (`now` is the tick's start). */
  clock: Clock;
}

/** A scheduled job: computed from the data each tick, so a tick missed (downtime) is caught up by the next. */
export interface Job {
  name: string;
  /**
   * How long a holder killed mid-run keeps the job from the other instances. A living holder renews
   * its lease every third of this while the run goes on, so a run may take longer.
   */
  leaseMs: number;
  run(em: Em, now: Date, context: JobContext): Promise<unknown>;
}

export interface Scheduler {
  /** Stops ticking and waits for the tick under way (call before the ORM closes). */
  stop(): Promise<void>;
  /** Runs one tick now (every job under its lease); what the timer calls. */
  tick(): Promise<void>;
}

/**
 * Ticks every JOBS_INTERVAL_SECONDS and runs each job under its database lease (job_lease): every
 * instance ticks, one runs each job. Ticks never overlap (the next is armed when one ends); a job
 * that throws is logged and tried again next tick. Started by main.ts, never by createApp, so tests
 * and the CLI run no background work.
 */
export function startScheduler(options: { orm: Orm; config: AppConfig; logger: Logger; clock: Clock; jobs: readonly Job[] }): Scheduler {
  const { orm, config, logger, clock, jobs } = options;
  const owner = `${hostname().slice(0, 24)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    for (const job of jobs) {
      if (stopped) return;
      const now = clock.now();
      try {
        const outcome = await runLeased(orm.em.fork(), job.name, owner, now, job.leaseMs, () => job.run(orm.em.fork(), now, { config, logger, owner, clock }), {
          everyMs: Math.max(1_000, Math.floor(job.leaseMs / 3)),
          now: () => clock.now(),
          onError: (error) => logger.warn({ err: error, job: job.name }, 'could not renew the job lease; another instance may take the job when it lapses'),
        });
        if (outcome.ran) logger.debug({ job: job.name, result: outcome.result }, 'job ran');
      } catch (error) {
        logger.error({ err: error, job: job.name }, 'job failed; it runs again next tick');
      }
    }
  };
  const arm = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(arm);
    }, config.jobs.intervalSeconds * 1000);
    timer.unref();
  };
  arm();
  return {
    tick: () => {
      running = running.then(tick);
      return running;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

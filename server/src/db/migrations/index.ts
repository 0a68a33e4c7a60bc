import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128000419 } from './Migration20261128000419';
import { Migration20261128001807 } from './Migration20261128001807';
import { Migration20261128002940 } from './Migration20261128002940';
import { Migration20261128024559 } from './Migration20261128024559';
import { Migration20261201100000 } from './Migration20261201100000';
import { Migration20261201110000 } from './Migration20261201110000';
import { Migration20261202041100 } from './Migration20261202041100';
import { Migration20261203000000 } from './Migration20261203000000';
import { Migration20261204000000 } from './Migration20261204000000';
import { Migration20261204100000 } from './Migration20261204100000';
import { Migration20261205000000 } from './Migration20261205000000';
import { Migration20261205100000 } from './Migration20261205100000';
import { Migration20261205200000 } from './Migration20261205200000';
import { Migration20261205300000 } from './Migration20261205300000';
import { Migration20261206170000 } from './Migration20261206170000';
import { Migration20261206180000 } from './Migration20261206180000';

/**
 * The MySQL migrations in the order they run; listed, so that no file discovery is needed at run time.
 * `pnpm --filter @wanjia/server db:migration:create` (with DATABASE_URL=mariadb://… here) writes a new one; add it here.
 */
export const MIGRATIONS: MigrationObject[] = [
  // The initial schema: every table of the data model with its indexes and foreign keys.
  { name: 'Migration20261128000419', class: Migration20261128000419 },
  // Sign-in: refresh tokens and login throttling; audit entries carry the region they concern.
  { name: 'Migration20261128001807', class: Migration20261128001807 },
  // Help records that are never lost: content fingerprints for idempotent retries, photos; ID numbers
  // no longer unique city-wide (a uniqueness error leaked other districts' lists).
  { name: 'Migration20261128002940', class: Migration20261128002940 },
  // The analysts' figures: a monthly summary of help records kept with every write, and the region,
  // unit and target groups each record counts under (existing records are attributed and summed here).
  { name: 'Migration20261128024559', class: Migration20261128024559 },
  // Account care (issue 11): one-time passwords that must be changed, and a generation that ends every sign-in.
  { name: 'Migration20261201100000', class: Migration20261201100000 },
  // Photo upload quota (issue 11): an account's uploads of the last 24 hours in one index range.
  { name: 'Migration20261201110000', class: Migration20261201110000 },
  // Help records' clientIds unique per cadre (issue 11): a replay answers only the cadre who made the record.
  { name: 'Migration20261202041100', class: Migration20261202041100 },
  // The household's confirmation (回访) and the demand timeline (issue 13): the answer on the demand, every step in demand_event (existing demands backfilled).
  { name: 'Migration20261203000000', class: Migration20261203000000 },
  // The demand loop (issue 15): referrals, unit handlers, time limits and the escalation ladder as data (with defaults), escalations; ESCALATED demands become OPEN.
  { name: 'Migration20261204000000', class: Migration20261204000000 },
  // Notices and scheduled work (issue 15): in-app notices, the WeChat outbox, subscriptions, the shared access token, job leases.
  { name: 'Migration20261204100000', class: Migration20261204100000 },
  // Imports (issue 16): uploads, their rows (what each became), their keys for duplicates within the file, their problems.
  { name: 'Migration20261205000000', class: Migration20261205000000 },
  // Changes reported from the field (issue 16): field_report, members' departures kept on the file, the FIELD_REPORT_DECIDED notice kind.
  { name: 'Migration20261205100000', class: Migration20261205100000 },
  // A new round's carry-over and bulk reassignment (issue 16): bulk_run (plan, state, counters, lease), bulk_run_item (verdict, what it became).
  { name: 'Migration20261205200000', class: Migration20261205200000 },
  // An index on household.phone (issue 16): the imports' likely-duplicate and household-by-phone lookups without a scan.
  { name: 'Migration20261205300000', class: Migration20261205300000 },
  // The read replicas' heartbeat (issue 17): one row the primary overwrites every second; its age on a replica is the replica's lag.
  { name: 'Migration20261206170000', class: Migration20261206170000 },
  // Row locks that Galera certifies (issue 17): lock_version on every table a check-then-act locks (core/locking.ts).
  { name: 'Migration20261206180000', class: Migration20261206180000 },
];

import { randomBytes } from 'node:crypto';
import { runBenchmark } from './bench';
import { settingsFrom } from './settings';

/**
 * `pnpm bench`: the real server against the hand-written baseline (baseline-server.ts) on the city
 * data set (city-data.ts), in one run, alternating, for the mini-program's operations: myHouseholds,
 * household (the file screen), myStats (the 我的 screen), submitHelpRecord, and the soak's mix of
 * them. Both servers run as their own processes on the same database with the same pool size, the
 * same secret and the same rate limits; autocannon drives them in turn with the same request sequence
 * (a random cadre's token per request, one of that cadre's households where one is needed), sending
 * the mini-program's persisted documents by hash. The figures are ratios measured side by side, never
 * absolute promises: the load generator, both servers and MariaDB share this machine's cores.
 *
 * It is a measurement, not a test: a missed target prints FAIL and still exits 0; only a crash
 * (a server dying, the data set not building) exits non-zero. Settings: settings.ts and README.md.
 */
async function main(): Promise<void> {
  const settings = settingsFrom(process.env, randomBytes(32).toString('hex'));
  const result = await runBenchmark(settings);
  if (result.crashed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

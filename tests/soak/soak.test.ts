import { printReport, runSoak, soakSettings, type SoakReport } from './soak';

/**
 * The soak in CI: the same code as `pnpm soak`, shortened (50 cadres, 30 s after a 20 s warm-up).
 * It asserts what must hold at any length: no record lost, doubled or half-written, no internal
 * error, a clean exit on SIGTERM, and memory that does not grow beyond a generous bound (the full run
 * prints the figures; the bound here is for a leak, not for noise).
 */

/**
 * The live heap (after a forced collection, start vs end) is the leak signal: it must not grow by a
 * quarter. RSS gets a looser bound, and is compared after a forced collection too: the raw RSS of a
 * 30 s run mostly shows when V8 grows its heap to the load (one CI run started measuring with a
 * 120 MB heap where others had 200 MB, and its raw RSS medians rose 112 % while the live heap rose
 * 3 %). What a process still holds after a full collection is what a native leak would grow; the
 * full `pnpm soak` prints the raw figures over minutes.
 */
const HEAP_GROWTH_BOUND_PERCENT = 25;
const RSS_GROWTH_BOUND_PERCENT = 50;

describe('soak (shortened for CI)', () => {
  let report: SoakReport;

  beforeAll(async () => {
    report = await runSoak(
      soakSettings(process.env, {
        seconds: Number(process.env.SOAK_CI_SECONDS || 30),
        cadres: 50,
        // Long enough for V8 to size its heap to the load before the first measurement.
        warmupSeconds: 20,
        // console.log through jest prints a stack line after every line: one block instead.
        log: () => undefined,
      }),
    );
    const lines: string[] = [];
    printReport(report, (line) => lines.push(line));
    console.log(lines.join('\n'));
  }, 600_000);

  it('loses no record, stores none twice and leaves none half-written', () => {
    expect(report.records.acknowledged).toBeGreaterThan(0);
    expect(report.records.lost).toEqual([]);
    expect(report.records.duplicated).toEqual([]);
    expect(report.records.wrongId).toEqual([]);
    expect(report.records.withoutAudit).toEqual([]);
    expect(report.records.visitBehind).toEqual([]);
    expect(report.records.orphaned).toEqual([]);
    expect(report.records.unsent).toBe(0);
    expect(report.records.refused).toBe(0);
  });

  it('answers every operation without a server error, and exits 0 on SIGTERM', () => {
    expect(report.serverErrors).toBe(0);
    expect(report.errorsByCode).toEqual({});
    expect(Object.keys(report.operations).sort()).toEqual(
      ['correctHelpRecord', 'household', 'myHouseholds', 'myStats', 'submitHelpRecord', 'submitHelpRecord (retry)'].sort(),
    );
    expect(report.serverExitCode).toBe(0);
  });

  it('keeps memory within a generous bound of where it stood after warm-up', () => {
    expect(report.memory.heapStartMb).not.toBeNull();
    expect(report.memory.heapGrowthPercent!).toBeLessThan(HEAP_GROWTH_BOUND_PERCENT);
    const { afterGcStart, afterGcEnd } = report.memory;
    if (!afterGcStart || !afterGcEnd) throw new Error('the server did not report its memory after a collection');
    expect(((afterGcEnd.rss - afterGcStart.rss) / afterGcStart.rss) * 100).toBeLessThan(RSS_GROWTH_BOUND_PERCENT);
  });
});

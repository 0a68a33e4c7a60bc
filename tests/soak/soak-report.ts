import fs from 'node:fs';
import { sleep } from '../support/cadre-client';
import type { RecordCheck } from '../support/record-check';
import type { SoakSettings } from './soak';

/** What a soak run measured, and how it is printed. */

export interface MemoryFigures {
  /** Median RSS over the first and the last quarter of the measured run. */
  rssStartMb: number;
  rssEndMb: number;
  rssMaxMb: number;
  rssGrowthPercent: number;
  heapStartMb: number | null;
  heapEndMb: number | null;
  heapGrowthPercent: number | null;
  /** Everything process.memoryUsage() says right after a full collection, in MB. */
  afterGcStart: ProcessMemory | null;
  afterGcEnd: ProcessMemory | null;
  rssSamplesMb: number[];
}

export interface SoakReport {
  settings: Omit<SoakSettings, 'log'>;
  seconds: number;
  requests: number;
  throughput: number;
  errorsByCode: Record<string, number>;
  /** TOO_MANY_REQUESTS answers (rate limits), counted apart from the errors. */
  rateLimited: number;
  /** 5xx answers and INTERNAL_SERVER_ERROR codes. */
  serverErrors: number;
  operations: Record<string, { requests: number; ok: number; p50Ms: number; p99Ms: number; errors: Record<string, number> }>;
  memory: MemoryFigures;
  records: RecordCheck & { unsent: number; refused: number; corrections: number };
  serverExitCode: number | null;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/** The server process's resident set, from /proc (Linux), in MB. */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  return kilobytes / 1024;
}

export interface ProcessMemory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** The server's memory right after a full collection (memory-probe.cjs answers SIGUSR2), in MB; null if it does not answer. */
export async function memoryAfterCollection(pid: number, probeFile: string): Promise<ProcessMemory | null> {
  const asked = Date.now();
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 10_000; waited += 100) {
    await sleep(100);
    try {
      const usage = JSON.parse(fs.readFileSync(probeFile, 'utf8')) as ProcessMemory & { at: number };
      if (usage.at >= asked) {
        const mb = (bytes: number) => bytes / 1024 / 1024;
        return {
          rss: mb(usage.rss),
          heapTotal: mb(usage.heapTotal),
          heapUsed: mb(usage.heapUsed),
          external: mb(usage.external),
          arrayBuffers: mb(usage.arrayBuffers),
        };
      }
    } catch {
      // not written yet
    }
  }
  return null;
}

/** The median of each tenth of the samples: the shape of the run in ten numbers. */
export function tenths(samples: readonly number[]): number[] {
  const size = Math.max(1, Math.ceil(samples.length / 10));
  const medians: number[] = [];
  for (let index = 0; index < samples.length; index += size) medians.push(median(samples.slice(index, index + size)));
  return medians;
}

export function printReport(report: SoakReport, log: (line: string) => void): void {
  const mb = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(1)} MB`);
  const pct = (value: number | null) => (value === null ? 'n/a' : `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`);
  const lines = [
    '',
    `Soak: ${report.settings.cadres} cadres, ${report.seconds.toFixed(0)} s measured (after ${report.settings.warmupSeconds} s warm-up), think time ≤ ${report.settings.thinkMs} ms, pool ${report.settings.pool}`,
    `  requests ${report.requests}, throughput ${report.throughput.toFixed(1)} req/s`,
    `  errors by code: ${JSON.stringify(report.errorsByCode)}; 5xx/internal: ${report.serverErrors}; rate-limited (429): ${report.rateLimited}`,
    '  operation                   requests      ok   p50 ms   p99 ms  errors',
    ...Object.entries(report.operations).map(
      ([operation, stats]) =>
        `  ${operation.padEnd(26)} ${String(stats.requests).padStart(9)} ${String(stats.ok).padStart(7)} ${String(stats.p50Ms).padStart(8)} ${String(stats.p99Ms).padStart(8)}  ${JSON.stringify(stats.errors)}`,
    ),
    `  server RSS: start ${mb(report.memory.rssStartMb)}, end ${mb(report.memory.rssEndMb)} (${pct(report.memory.rssGrowthPercent)}), max ${mb(report.memory.rssMaxMb)}; medians of each tenth of the run: ${tenths(
      report.memory.rssSamplesMb,
    )
      .map((value) => value.toFixed(0))
      .join(' ')}`,
    `  server heap after GC: start ${mb(report.memory.heapStartMb)}, end ${mb(report.memory.heapEndMb)} (${pct(report.memory.heapGrowthPercent)})`,
    `  after GC, start → end: ${(['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const)
      .map((key) => `${key} ${report.memory.afterGcStart?.[key].toFixed(1) ?? 'n/a'} → ${report.memory.afterGcEnd?.[key].toFixed(1) ?? 'n/a'}`)
      .join(', ')} (MB)`,
    `  records: ${report.records.acknowledged} acknowledged (${report.records.corrections} corrections); lost ${report.records.lost.length}, stored twice ${report.records.duplicated.length}, wrong id ${report.records.wrongId.length}, without audit ${report.records.withoutAudit.length}, visit behind ${report.records.visitBehind.length}, left unsent ${report.records.unsent}, refused ${report.records.refused}`,
    `  server exit code after SIGTERM: ${report.serverExitCode}`,
    '',
  ];
  for (const line of lines) log(line);
}

import type { Measurement } from './load';
import type { Scenario, ServerName } from './settings';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function fixed(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
}

export function megabytes(bytes: number | null): string {
  return bytes ? `${(bytes / 1024 / 1024).toFixed(0)} MB` : 'n/a';
}

/** Fixed minimum widths for the name columns, so that rows printed one at a time line up under the header. */
export const NAME_WIDTHS = ['submitHelpRecord'.length, 'baseline'.length];

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, NAME_WIDTHS[column] ?? 0, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

export const HEADER = [
  'operation',
  'server',
  'req/s',
  'p50 ms',
  'p99 ms',
  'failures',
  'SQL/req',
  'db stmts/req',
  'server CPU ms/req',
  'db CPU ms/req',
  'peak RSS',
];

export function row(m: Pick<Measurement, Exclude<keyof Measurement, 'round' | 'firstError' | 'sent' | 'responses'>>): string[] {
  return [
    m.scenario,
    m.server,
    fixed(m.requestsPerSecond, 0),
    fixed(m.p50, 0),
    fixed(m.p99, 0),
    String(m.failures),
    fixed(m.sqlPerRequest, 2),
    fixed(m.databaseStatementsPerRequest, 2),
    fixed(m.serverCpuMsPerRequest, 2),
    fixed(m.databaseCpuMsPerRequest, 2),
    megabytes(m.peakRssBytes),
  ];
}

/** Medians over the rounds for rates and latencies; sums for failures; the highest peak. */
export function summarise(measurements: Measurement[], scenario: Scenario, server: ServerName) {
  const runs = measurements.filter((m) => m.scenario === scenario && m.server === server);
  if (runs.length === 0) return null;
  const medianOf = (pick: (m: Measurement) => number | null) => {
    const values = runs.map(pick).filter((value): value is number => value !== null);
    return values.length ? median(values) : null;
  };
  return {
    scenario,
    server,
    requestsPerSecond: median(runs.map((m) => m.requestsPerSecond)),
    p50: median(runs.map((m) => m.p50)),
    p99: median(runs.map((m) => m.p99)),
    failures: runs.reduce((sum, m) => sum + m.failures, 0),
    sqlPerRequest: medianOf((m) => m.sqlPerRequest),
    databaseStatementsPerRequest: median(runs.map((m) => m.databaseStatementsPerRequest)),
    serverCpuMsPerRequest: medianOf((m) => m.serverCpuMsPerRequest),
    databaseCpuMsPerRequest: medianOf((m) => m.databaseCpuMsPerRequest),
    peakRssBytes: Math.max(...runs.map((m) => m.peakRssBytes ?? 0)) || null,
  };
}

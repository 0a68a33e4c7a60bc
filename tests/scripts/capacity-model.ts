/**
 * The capacity model of docs/scaling.md: measured figures (capacity-figures.ts writes them to
 * capacity-figures.json) times the campaign's size at three scales. Pure arithmetic, kept apart from
 * the measurement so that the docs test can check the page's tables against the same computation.
 */

/** What capacity-figures.ts measured on one run. */
export interface MeasuredFigures {
  measuredAt: string;
  command: string;
  dataSet: { households: number; helpRecords: number; cadres: number };
  /** information_schema after ANALYZE TABLE on the full data set: bytes per row, clustered index (data) and secondary indexes. */
  tables: Record<string, { rows: number; dataBytesPerRow: number; indexBytesPerRow: number }>;
  /** Per request of each operation of the mini-program's mix, under a fixed load. */
  operations: Record<OperationName, OperationFigures>;
  /** What one submitted record wrote, by table: rows inserted (counted) and statements by verb (general log). */
  perSubmittedRecord: {
    rowsInserted: Record<string, number>;
    writeStatements: Record<string, number>;
    /** Growth of data_length + index_length over the submit phase, per record, all tables. */
    growthBytes: number;
    binlogBytes: number;
    redoBytes: number;
  };
  photo: { inputBytes: number; inputPixels: string; storedBytes: number; storedPixels: string; thumbnailBytes: number; cpuMs: number };
}

export type OperationName = 'myHouseholds' | 'household' | 'myStats' | 'submitHelpRecord' | 'correctHelpRecord';

export interface OperationFigures {
  requests: number;
  /** SQL statements the server sent (its COUNT_SQL counter). */
  statements: number;
  /** CPU of the API process (user + system). */
  serverCpuMs: number;
  /** CPU of mariadbd (the instance serves nothing else). */
  databaseCpuMs: number;
  /** Handler_write, Handler_update, Rows_read of mariadbd over the requests. */
  rowsInserted: number;
  rowsUpdated: number;
  rowsRead: number;
  /** InnoDB redo-log writes and fsyncs (Innodb_log_writes, Innodb_data_fsyncs): what commits cost the disk. */
  logWrites: number;
  fsyncs: number;
  p50Ms: number;
}

/** The soak's mix (tests/soak/soak.ts MIX): requests out of 100. */
export const MIX: Record<OperationName, number> = { myHouseholds: 30, household: 25, myStats: 15, submitHelpRecord: 25, correctHelpRecord: 5 };

/** The visit intervals' defaults (server/src/config.ts VISIT_INTERVAL_DAYS_*). */
export const VISIT_INTERVAL_DAYS = { hardship: 30, keyFocus: 14, petitioner: 7 } as const;

export interface Scale {
  name: string;
  cadres: number;
  hardship: number;
  keyFocus: number;
  petitioners: number;
}

/**
 * The city is Benxi's new round as the article counts it (DOMAIN.md): nearly 50,000 cadres, about
 * 50,000 hardship households, 4,800 key-focus persons, 2,100 key petitioners. A province is 14 such
 * cities (Liaoning has 14 prefecture-level cities; by population it would be about 30 Benxis); the
 * country 300 (China's prefecture-level cities, each taken as Benxi-sized).
 */
const CITY: Scale = { name: 'city', cadres: 50_000, hardship: 50_000, keyFocus: 4_800, petitioners: 2_100 };
const times = (scale: Scale, name: string, factor: number): Scale => ({
  name,
  cadres: scale.cadres * factor,
  hardship: scale.hardship * factor,
  keyFocus: scale.keyFocus * factor,
  petitioners: scale.petitioners * factor,
});
export const SCALES: readonly Scale[] = [CITY, times(CITY, 'province', 14), times(CITY, 'country', 300)];

export const ASSUMPTIONS = {
  /** Every household visited on its interval, one record per visit (no more: the campaign asks for regular visits, not clock-ins). */
  photosPerVisit: 2,
  /**
   * Peak over the mean rate: visits happen in working hours on working days (7 × 24 / (5 × 8) = 4.2×)
   * and bunch before month's end (×2.4): 10×.
   */
  peakFactor: 10,
  /** Cores are sized for this busy at peak: headroom for analysts, imports and a node down. */
  targetUtilisation: 0.5,
  /** The app's other traffic (sign-in, refresh, photo thumbnails viewed) is left out: each is one cheap request per session. */
} as const;

export interface ScaleModel {
  scale: Scale;
  visitsPerDay: number;
  requestsPerDay: number;
  peakRequestsPerSecond: number;
  peakRecordsPerSecond: number;
  apiCores: number;
  databaseCores: number;
  databaseGbPerYear: number;
  binlogGbPerYear: number;
  peakRowWritesPerSecond: number;
  rowWritesPerDay: number;
  peakLogFsyncsPerSecond: number;
  photoTbPerYear: number;
  photoCores: number;
}

/** Per request of the mix: a weighted mean of each operation's per-request figure. */
export function mixMean(figures: MeasuredFigures, pick: (operation: OperationFigures) => number): number {
  let weighted = 0;
  let total = 0;
  for (const [name, weight] of Object.entries(MIX) as [OperationName, number][]) {
    const operation = figures.operations[name];
    weighted += weight * (pick(operation) / operation.requests);
    total += weight;
  }
  return weighted / total;
}

/** Requests the mix sends per submitted record (100 requests hold 25 submissions). */
export const REQUESTS_PER_VISIT = 100 / MIX.submitHelpRecord;

export function visitsPerDay(scale: Scale): number {
  return scale.hardship / VISIT_INTERVAL_DAYS.hardship + scale.keyFocus / VISIT_INTERVAL_DAYS.keyFocus + scale.petitioners / VISIT_INTERVAL_DAYS.petitioner;
}

/** Bytes a submitted record adds to the database: rows inserted per table × that table's bytes per row (data + indexes). */
export function bytesPerRecord(figures: MeasuredFigures): number {
  let bytes = 0;
  for (const [table, rows] of Object.entries(figures.perSubmittedRecord.rowsInserted)) {
    const size = figures.tables[table];
    if (!size) continue;
    bytes += rows * (size.dataBytesPerRow + size.indexBytesPerRow);
  }
  return bytes;
}

export function modelScale(figures: MeasuredFigures, scale: Scale): ScaleModel {
  const visits = visitsPerDay(scale);
  const requests = visits * REQUESTS_PER_VISIT;
  const peakRequests = (requests / 86_400) * ASSUMPTIONS.peakFactor;
  const peakRecords = (visits / 86_400) * ASSUMPTIONS.peakFactor;
  const cores = (cpuMsPerRequest: number) => (peakRequests * cpuMsPerRequest) / 1000 / ASSUMPTIONS.targetUtilisation;
  // Only the writing operations: a read's Handler_update counts the work rows of its window functions
  // (household's history page: 10 per request, with no redo log written), not stored rows.
  const rowWritesPerRequest = mixMean(figures, (operation) => (operation.logWrites > operation.requests / 2 ? operation.rowsInserted + operation.rowsUpdated : 0));
  const fsyncsPerRequest = mixMean(figures, (operation) => operation.fsyncs);
  const photosPerDay = visits * ASSUMPTIONS.photosPerVisit;
  return {
    scale,
    visitsPerDay: visits,
    requestsPerDay: requests,
    peakRequestsPerSecond: peakRequests,
    peakRecordsPerSecond: peakRecords,
    apiCores: cores(mixMean(figures, (operation) => operation.serverCpuMs)),
    databaseCores: cores(mixMean(figures, (operation) => operation.databaseCpuMs)),
    databaseGbPerYear: (visits * 365 * bytesPerRecord(figures)) / 1e9,
    binlogGbPerYear: (visits * 365 * figures.perSubmittedRecord.binlogBytes) / 1e9,
    peakRowWritesPerSecond: peakRequests * rowWritesPerRequest,
    rowWritesPerDay: requests * rowWritesPerRequest,
    peakLogFsyncsPerSecond: peakRequests * fsyncsPerRequest,
    photoTbPerYear: (photosPerDay * 365 * (figures.photo.storedBytes + figures.photo.thumbnailBytes)) / 1e12,
    photoCores: ((photosPerDay / 86_400) * ASSUMPTIONS.peakFactor * figures.photo.cpuMs) / 1000 / ASSUMPTIONS.targetUtilisation,
  };
}

/** How the page writes a figure: whole numbers with thousands separators, small ones with two significant digits. */
export function shown(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en');
  if (value >= 10) return value.toFixed(0);
  if (value >= 1) return value.toFixed(1);
  if (value === 0) return '0';
  return value.toPrecision(2);
}

/** The model's table as docs/scaling.md shows it (the docs test compares the two). */
export function modelTable(figures: MeasuredFigures): string {
  const models = SCALES.map((scale) => modelScale(figures, scale));
  const row = (label: string, pick: (model: ScaleModel) => number) => `| ${label} | ${models.map((model) => shown(pick(model))).join(' | ')} |`;
  return [
    `| | ${models.map((model) => model.scale.name).join(' | ')} |`,
    `|---|${models.map(() => '---:').join('|')}|`,
    row('cadres', (model) => model.scale.cadres),
    row('households and persons visited', (model) => model.scale.hardship + model.scale.keyFocus + model.scale.petitioners),
    row('visits (records) a day', (model) => model.visitsPerDay),
    row('API requests a day', (model) => model.requestsPerDay),
    row('API requests a cadre a day', (model) => model.requestsPerDay / model.scale.cadres),
    row('rows written a cadre a day', (model) => model.rowWritesPerDay / model.scale.cadres),
    row('peak requests/s', (model) => model.peakRequestsPerSecond),
    row('peak records/s', (model) => model.peakRecordsPerSecond),
    row('API cores at peak', (model) => model.apiCores),
    row('database cores at peak', (model) => model.databaseCores),
    row('photo re-encoding cores at peak', (model) => model.photoCores),
    row('peak row writes/s', (model) => model.peakRowWritesPerSecond),
    row('peak InnoDB fsyncs/s', (model) => model.peakLogFsyncsPerSecond),
    row('database growth, GB a year', (model) => model.databaseGbPerYear),
    row('binlog (replication stream), GB a year', (model) => model.binlogGbPerYear),
    row('photos, TB a year', (model) => model.photoTbPerYear),
  ].join('\n');
}

const perRequest = (value: number, requests: number, digits = 1) => (value / requests).toFixed(digits);

/** The measured figures' tables as docs/scaling.md shows them (the docs test compares the two). */
export function measuredTables(figures: MeasuredFigures): { operations: string; tables: string; record: string; photo: string } {
  const operations = [
    '| operation (share of the mix) | SQL statements | API CPU ms | MariaDB CPU ms | rows read | rows written | InnoDB fsyncs | p50 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...(Object.keys(MIX) as OperationName[]).map((name) => {
      const operation = figures.operations[name];
      const n = operation.requests;
      return `| \`${name}\` (${MIX[name]} %) | ${perRequest(operation.statements, n)} | ${perRequest(operation.serverCpuMs, n)} | ${perRequest(operation.databaseCpuMs, n)} | ${perRequest(operation.rowsRead, n, 0)} | ${perRequest(operation.rowsInserted + operation.rowsUpdated, n)} | ${perRequest(operation.fsyncs, n)} | ${operation.p50Ms.toFixed(0)} |`;
    }),
    `| the mix, per request | ${mixMean(figures, (o) => o.statements).toFixed(1)} | ${mixMean(figures, (o) => o.serverCpuMs).toFixed(1)} | ${mixMean(figures, (o) => o.databaseCpuMs).toFixed(1)} | ${mixMean(figures, (o) => o.rowsRead).toFixed(0)} | ${mixMean(figures, (o) => o.rowsInserted + o.rowsUpdated).toFixed(1)} | ${mixMean(figures, (o) => o.fsyncs).toFixed(1)} | |`,
  ].join('\n');
  const tables = [
    '| table | rows | bytes a row (data) | bytes a row (indexes) |',
    '|---|---:|---:|---:|',
    ...Object.entries(figures.tables).map(([table, size]) => `| \`${table}\` | ${size.rows.toLocaleString('en')} | ${size.dataBytesPerRow} | ${size.indexBytesPerRow} |`),
  ].join('\n');
  const record = [
    '| per submitted record | |',
    '|---|---:|',
    ...Object.entries(figures.perSubmittedRecord.writeStatements).map(([statement, count]) => `| \`${statement}\` statements | ${count} |`),
    ...Object.entries(figures.perSubmittedRecord.rowsInserted).map(([table, rows]) => `| rows added to \`${table}\` | ${rows} |`),
    `| bytes added (rows × bytes a row) | ${Math.round(bytesPerRecord(figures)).toLocaleString('en')} |`,
    `| bytes added (growth of data_length + index_length) | ${figures.perSubmittedRecord.growthBytes.toLocaleString('en')} |`,
    `| binlog bytes (ROW format) | ${figures.perSubmittedRecord.binlogBytes.toLocaleString('en')} |`,
    `| redo-log bytes | ${figures.perSubmittedRecord.redoBytes.toLocaleString('en')} |`,
  ].join('\n');
  const { photo } = figures;
  const photoLine = `a ${photo.inputPixels} JPEG of ${photo.inputBytes.toLocaleString('en')} bytes is stored as ${photo.storedPixels} in ${photo.storedBytes.toLocaleString('en')} bytes, its thumbnail in ${photo.thumbnailBytes.toLocaleString('en')} bytes; re-encoding and thumbnail take ${photo.cpuMs} ms of CPU`;
  return { operations, tables, record, photo: photoLine };
}

import type { Connection, ConnectionOptions, RowDataPacket } from 'mysql2/promise';

/**
 * Where the city goes and what that database holds already. Interrupted runs are rebuilt, not resumed:
 * a run first writes a "started" marker (an audit entry), and a database that holds a marker but no
 * "finished" one is dropped and generated again. A database holding anything the generator did not
 * write is refused.
 */

/** Bump when the generated rows change, so that a database from an older generator is rebuilt. */
export const CITY_GENERATOR_VERSION = 1;
export const CITY_MARKER_OPERATION = 'generateCity';

/** The generator will not write here (foreign data, or a bad target): the message says why and what to do. */
export class CityRefusal extends Error {
  override name = 'CityRefusal';
}

export interface CityTarget {
  url: string;
  database: string;
  connection: ConnectionOptions;
}

export function cityTarget(databaseUrl: string): CityTarget {
  let parsed: URL;
  try {
    parsed = new URL(databaseUrl);
  } catch {
    throw new CityRefusal(`DATABASE_URL: not a URL: ${databaseUrl}`);
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new CityRefusal(
      'DATABASE_URL: the city-scale data set is generated into MySQL or MariaDB only (mysql://… or mariadb://…); the embedded SQLite database holds the demo data set (`seed` without --scale)',
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) throw new CityRefusal(`DATABASE_URL: name the database to fill (letters, digits, _), got "${database}"`);
  return {
    url: databaseUrl,
    database,
    connection: {
      host: parsed.hostname,
      port: Number(parsed.port || 3306),
      user: decodeURIComponent(parsed.username || 'root'),
      password: decodeURIComponent(parsed.password),
      charset: 'utf8mb4',
      timezone: 'Z',
    },
  };
}

export interface CityMarker {
  generator: number;
  seed: number;
  scale: number;
  state: 'started' | 'finished';
}

export type TargetState =
  | { kind: 'missing' | 'empty' }
  | { kind: 'finished'; marker: CityMarker; foreignAuditEntries: number }
  | { kind: 'generated'; marker: CityMarker; foreignAuditEntries: number }
  | { kind: 'foreign'; reason: string };

/** Tables whose rows mean somebody put data here. */
const DATA_TABLES = ['region', 'round', 'unit', 'cadre', 'household', 'user_account', 'contact_point_kind', 'audit_entry'];

export async function inspectTarget(admin: Connection, database: string): Promise<TargetState> {
  const [schemas] = await admin.query<RowDataPacket[]>('select 1 from information_schema.schemata where schema_name = ?', [database]);
  if (schemas.length === 0) return { kind: 'missing' };
  const [tables] = await admin.query<RowDataPacket[]>('select table_name as name from information_schema.tables where table_schema = ?', [database]);
  const names = new Set(tables.map((row) => String(row.name)));
  if (names.size === 0) return { kind: 'empty' };
  if (!names.has('audit_entry')) return { kind: 'foreign', reason: `it holds tables (${[...names].slice(0, 5).join(', ')}…) that are not Wanjia's` };
  const [markers] = await admin.query<RowDataPacket[]>(`select changes from \`${database}\`.audit_entry where operation = ? order by id`, [
    CITY_MARKER_OPERATION,
  ]);
  if (markers.length > 0) {
    const parsed = markers.map((row) => JSON.parse(String(row.changes)) as CityMarker);
    const [foreign] = await admin.query<RowDataPacket[]>(`select count(*) as n from \`${database}\`.audit_entry where operation <> ?`, [CITY_MARKER_OPERATION]);
    const foreignAuditEntries = Number(foreign[0]!.n);
    const finished = parsed.find((marker) => marker.state === 'finished');
    return finished ? { kind: 'finished', marker: finished, foreignAuditEntries } : { kind: 'generated', marker: parsed[0]!, foreignAuditEntries };
  }
  for (const table of DATA_TABLES) {
    if (!names.has(table)) continue;
    const [rows] = await admin.query<RowDataPacket[]>(`select exists(select 1 from \`${database}\`.\`${table}\`) as filled`);
    if (Number(rows[0]!.filled) === 1) return { kind: 'foreign', reason: `its ${table} table holds rows that the city generator did not write` };
  }
  return { kind: 'empty' };
}

export function sameCity(a: CityMarker, b: CityMarker): boolean {
  return a.generator === b.generator && a.seed === b.seed && a.scale === b.scale;
}

export async function writeMarker(connection: Connection, marker: CityMarker): Promise<void> {
  await connection.query(
    `insert into audit_entry (actor_id, at, operation, entity_name, entity_id, changes) values (NULL, utc_timestamp(3), ?, 'Database', 'city', ?)`,
    [CITY_MARKER_OPERATION, JSON.stringify(marker)],
  );
}

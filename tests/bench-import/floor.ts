import mysql, { type RowDataPacket } from 'mysql2/promise';
import type { MysqlTarget } from '../bench/common';

/**
 * The floor the import's commit is measured against: the very rows the import wrote (households and
 * residents, every column as the engine filled it), written again into the same tables of a fresh
 * database of the same world with nothing but hand-written multi-row INSERTs of 1,000 rows, one
 * connection, no checks, no transactions of our own. Only the INSERTs are timed: the rows are read
 * from the imported database before the clock starts.
 */

export const FLOOR_BATCH = 1000;
/** Households first: residents point at them. */
const TABLES = ['household', 'resident'] as const;

export interface FloorResult {
  seconds: number;
  rows: Record<(typeof TABLES)[number], number>;
  statements: number;
}

function connect(target: MysqlTarget): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    charset: 'utf8mb4',
    // Dates and times go back as they came out: no time zone conversion on the way.
    dateStrings: true,
    timezone: 'Z',
  });
}

export async function measureFloor(imported: MysqlTarget, fresh: MysqlTarget): Promise<FloorResult> {
  const source = await connect(imported);
  const loaded: { table: (typeof TABLES)[number]; columns: string[]; rows: unknown[][] }[] = [];
  try {
    for (const table of TABLES) {
      const [columnRows] = await source.query<RowDataPacket[]>(
        'select column_name as name from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position',
        [imported.database, table],
      );
      const columns = columnRows.map((row) => String(row.name));
      const [rows] = await source.query<RowDataPacket[]>({
        sql: `select ${columns.map((c) => `\`${c}\``).join(', ')} from \`${table}\` order by id`,
        rowsAsArray: true,
      });
      loaded.push({ table, columns, rows: rows as unknown as unknown[][] });
    }
  } finally {
    await source.end();
  }

  const target = await connect(fresh);
  try {
    let statements = 0;
    const started = process.hrtime.bigint();
    for (const { table, columns, rows } of loaded) {
      const insert = `insert into \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) values ?`;
      for (let from = 0; from < rows.length; from += FLOOR_BATCH) {
        await target.query(insert, [rows.slice(from, from + FLOOR_BATCH)]);
        statements += 1;
      }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      seconds,
      rows: { household: loaded[0]!.rows.length, resident: loaded[1]!.rows.length },
      statements,
    };
  } finally {
    await target.end();
  }
}

import mysql, { type Connection, type ConnectionOptions } from 'mysql2/promise';

/**
 * Sends multi-row INSERTs over a few connections while the generator goes on producing rows, so that
 * generation (Node) and insertion (MySQL) use both cores. Foreign-key and unique checks are off for
 * these sessions only: the generator makes every key consistent and unique by construction (the test
 * checks it afterwards). The generator may run only a few statements ahead (`drain`), so memory stays
 * flat however large the city.
 */
export class Sink {
  private readonly queue: string[] = [];
  private readonly idleWorkers: (() => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private failure: Error | null = null;
  private closed = false;
  private workers: Promise<void>[] = [];

  private constructor(
    private readonly connections: Connection[],
    private readonly maxQueued: number,
  ) {}

  static async open(options: ConnectionOptions, parallel: number, maxQueued = 4): Promise<Sink> {
    const connections: Connection[] = [];
    for (let i = 0; i < parallel; i += 1) {
      const connection = await mysql.createConnection({ ...options, charset: 'utf8mb4' });
      await connection.query(`set session foreign_key_checks = 0, unique_checks = 0, time_zone = '+00:00'`);
      connections.push(connection);
    }
    const sink = new Sink(connections, maxQueued);
    sink.workers = connections.map((connection) => sink.work(connection));
    return sink;
  }

  send(sql: string): void {
    if (this.failure) throw this.failure;
    this.queue.push(sql);
    this.idleWorkers.shift()?.();
  }

  /** Resolves once the queue is short again: the generator's backpressure. */
  async drain(): Promise<void> {
    while (this.queue.length > this.maxQueued && !this.failure) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  /** Waits for every queued statement, then closes the connections; throws the first failure. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.idleWorkers.splice(0)) wake();
    await Promise.all(this.workers);
    await Promise.all(this.connections.map((connection) => connection.end()));
    if (this.failure) throw this.failure;
  }

  private async work(connection: Connection): Promise<void> {
    for (;;) {
      const sql = this.queue.shift();
      if (sql === undefined) {
        if (this.closed || this.failure) return;
        await new Promise<void>((resolve) => this.idleWorkers.push(resolve));
        continue;
      }
      if (this.queue.length <= this.maxQueued) for (const wake of this.drainWaiters.splice(0)) wake();
      try {
        await connection.query(sql);
      } catch (error) {
        this.failure ??= new Error(`${(error as Error).message} in: ${sql.slice(0, 300)}…`);
        this.queue.length = 0;
        for (const wake of this.drainWaiters.splice(0)) wake();
        for (const wake of this.idleWorkers.splice(0)) wake();
        return;
      }
    }
  }
}

export type SqlValue = string | number | boolean | null;

/**
 * A table as the generators write it: its name, its columns in INSERT order, and how a typed row
 * becomes the values of those columns. Every field of the row names its column, so the two cannot drift.
 */
export interface TableDefinition<Row> {
  readonly table: string;
  readonly columns: readonly string[];
  /** Rows per INSERT. */
  readonly batch: number;
  values(row: Row): SqlValue[];
}

export function defineTable<Row extends { [Field in keyof Row]: SqlValue }>(
  table: string,
  columnOf: { readonly [Field in keyof Row]-?: string },
  batch = 2000,
): TableDefinition<Row> {
  const fields = Object.keys(columnOf) as (keyof Row)[];
  return {
    table,
    columns: fields.map((field) => columnOf[field]),
    batch,
    values: (row) => fields.map((field) => row[field]),
  };
}

/** Collects one table's rows and hands the sink an INSERT every `batch` rows. */
export class TableWriter<Row> {
  private rows: string[] = [];
  count = 0;

  constructor(
    private readonly sink: Sink,
    private readonly definition: TableDefinition<Row>,
  ) {}

  add(row: Row): void {
    this.rows.push(`(${this.definition.values(row).map(sqlValue).join(',')})`);
    this.count += 1;
    if (this.rows.length >= this.definition.batch) this.flush();
  }

  flush(): void {
    if (this.rows.length === 0) return;
    const { table, columns } = this.definition;
    this.sink.send(`insert into \`${table}\` (${columns.map((column) => `\`${column}\``).join(',')}) values ${this.rows.join(',')}`);
    this.rows = [];
  }
}

function sqlValue(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  return mysql.escape(value);
}

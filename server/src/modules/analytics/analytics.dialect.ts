import { isSqlite, type Em } from '../../core/entity-manager';
import { startOfShanghaiDay } from '../../core/time';
import { nextDay, type MonthSpan } from './analytics.slice';

/** A piece of SQL with the parameters its placeholders bind, in order. */
export interface SqlPart {
  sql: string;
  params: unknown[];
}

/** A datetime as the drivers return it from raw SQL: a Date (MySQL), epoch milliseconds or text (SQLite); core/time's toDate reads each. */
export type SqlInstant = Date | number | string;

/** The dialect differences the analytics SQL meets: how dates are bound and how a month is taken. */
export class Dialect {
  readonly mysql: boolean;

  constructor(private readonly em: Em) {
    this.mysql = !isSqlite(em);
  }

  instant(value: Date): unknown {
    return this.em.getPlatform().processDateProperty(value);
  }

  /** The Asia/Shanghai month (YYYY-MM) of a UTC datetime column. SQLite keeps epoch milliseconds. */
  monthOf(column: string): string {
    return this.mysql ? `date_format(date_add(${column}, interval 8 hour), '%Y-%m')` : `strftime('%Y-%m', ${column} / 1000 + 28800, 'unixepoch')`;
  }
}

/** A set of status values as SQL literals, for an `in (…)`: the values are the code's own enum members, never user input. */
export function sqlStringList(values: readonly string[]): string {
  return values.map((value) => `'${value}'`).join(', ');
}

/**
 * The months of a MONTH breakdown as a derived table `m`: key `k`, the instants the month starts and
 * ends at (`s`, `e`, for datetime columns) and its first and last days (`sd`, `ed`, for date columns).
 */
export function monthsTable(dialect: Dialect, months: readonly MonthSpan[]): SqlPart {
  const params: unknown[] = [];
  const rows = months.map((month, index) => {
    params.push(
      month.key,
      dialect.instant(startOfShanghaiDay(month.firstDay)),
      dialect.instant(startOfShanghaiDay(nextDay(month.lastDay))),
      month.firstDay,
      month.lastDay,
    );
    return index === 0 ? 'select ? as k, ? as s, ? as e, ? as sd, ? as ed' : 'select ?, ?, ?, ?, ?';
  });
  return { sql: `(${rows.join(' union all ')})`, params };
}

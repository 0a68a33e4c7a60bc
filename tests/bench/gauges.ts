import fs from 'node:fs';
import type mysql from 'mysql2/promise';
import { SQL_COUNT_PATH } from './common';
import type { Running } from './server-processes';
import { USER_HZ } from './settings';

/** What a run costs, read from /proc and from the servers' own counters. */

export function procStatus(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Resets the kernel's peak-RSS mark to the current RSS, so each run's peak is its own. False where not allowed. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** User + system CPU seconds a process has used. */
export function cpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null;
  }
}

/** MariaDB's process, for its CPU per request; null where the database runs elsewhere or is not visible. */
export function findDatabasePid(): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (name === 'mariadbd' || name === 'mysqld') return Number(entry);
    } catch {
      // the process went away
    }
  }
  return null;
}

export async function serverStatementCount(server: Running): Promise<number | null> {
  try {
    const response = await fetch(`${server.url}${SQL_COUNT_PATH}`);
    if (!response.ok) return null;
    const body = (await response.json()) as { statements?: unknown };
    return typeof body.statements === 'number' ? body.statements : null;
  } catch {
    return null;
  }
}

/** MariaDB's own count of statements from every client: the check on what a server says it sent. */
export async function databaseQuestions(admin: mysql.Connection): Promise<number> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>(`show global status like 'Questions'`);
  return Number(rows[0]!.Value);
}

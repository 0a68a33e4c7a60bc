/** The campaign's calendar is Asia/Shanghai (UTC+8, no daylight saving); the database keeps UTC. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** A calendar day in milliseconds (Asia/Shanghai keeps no daylight saving, so every day has this many). */
export const DAY_MS = 86_400_000;

/** The calendar day (YYYY-MM-DD) in Asia/Shanghai at the given instant. */
export function shanghaiDate(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant at which a Shanghai calendar day starts. */
export function startOfShanghaiDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - SHANGHAI_OFFSET_MS);
}

/**
 * A datetime column as the drivers hand it back: a Date (MySQL), epoch milliseconds or a string
 * (SQLite, raw queries), made one Date.
 */
export function toDate(value: Date | number | string): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  // Text is the database's UTC `YYYY-MM-DD HH:MM:SS[.fff]`, which Date would read as local time.
  return /^\d+$/.test(value) ? new Date(Number(value)) : new Date(`${value.replace(' ', 'T')}Z`);
}

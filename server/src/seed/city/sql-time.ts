/** Instants as the generated rows hold them: UTC `datetime(3)` text, and calendar days in Asia/Shanghai. */

export { DAY_MS } from '../../core/time';
export const HOUR_MS = 60 * 60 * 1000;
export const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

/** A UTC instant as MySQL datetime(3) text. */
export function sqlDatetime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** The Asia/Shanghai calendar day of an instant. */
export function shanghaiDay(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** A UTC day and time of day as epoch milliseconds. */
export function utcMs(day: string, time = '00:00:00'): number {
  return Date.parse(`${day}T${time}Z`);
}

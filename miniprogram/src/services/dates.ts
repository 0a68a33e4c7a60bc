/**
 * Dates as cadres read them: Asia/Shanghai, which has been UTC+8 all year since 1991. A fixed offset
 * instead of Intl's time zones, which not every WeChat JavaScript engine carries.
 */
const OFFSET_MS = 8 * 60 * 60 * 1000;

const pad = (value: number) => String(value).padStart(2, '0');

function shifted(instant: Date | string): Date {
  return new Date((typeof instant === 'string' ? Date.parse(instant) : instant.getTime()) + OFFSET_MS);
}

/** "2026-11-28" in Shanghai. */
export function formatDate(instant: Date | string): string {
  const d = shifted(instant);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** "14:05" in Shanghai. */
export function formatTime(instant: Date | string): string {
  const d = shifted(instant);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** "2026-11-28 14:05" in Shanghai. */
export function formatDateTime(instant: Date | string): string {
  return `${formatDate(instant)} ${formatTime(instant)}`;
}

/** The instant of a Shanghai wall-clock date ("2026-11-28") and time ("14:05"); null if either is malformed. */
export function shanghaiInstant(date: string, time: string): Date | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const [year, month, day, hour, minute] = [d[1], d[2], d[3], t[1], t[2]].map(Number) as [number, number, number, number, number];
  const utc = Date.UTC(year, month - 1, day, hour, minute) - OFFSET_MS;
  // Date.UTC rolls 2026-02-30 over into March: such a date was not a real one.
  if (formatDate(new Date(utc)) !== date || hour > 23 || minute > 59) return null;
  return new Date(utc);
}

/** Age in whole years on a Shanghai date, from a LocalDate birth date. */
export function ageOn(birthDate: string, today: Date): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m) return null;
  const [year, month, day] = formatDate(today).split('-').map(Number) as [number, number, number];
  const [by, bm, bd] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  return year - by - (month < bm || (month === bm && day < bd) ? 1 : 0);
}

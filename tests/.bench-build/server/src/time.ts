/** The campaign's calendar is Asia/Shanghai (UTC+8, no daylight saving); the database keeps UTC. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar day (YYYY-MM-DD) in Asia/Shanghai at the given instant. */
export function shanghaiDate(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant at which a Shanghai calendar day starts. */
export function startOfShanghaiDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - SHANGHAI_OFFSET_MS);
}

/**
 * Times as people read them in the room and in reports: date, time to the second and the zone,
 * always UTC, e.g. `2026-12-01 09:41:07 UTC`. Every screen and the text audit report show times
 * through this one function, so a time on the coordinator's screen, a witness's device and the
 * printed report reads the same whatever the machines' own zones and locales.
 */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * The moment `at` (milliseconds since the epoch, a Date, or an ISO 8601 string) as
 * `YYYY-MM-DD HH:MM:SS UTC`. A value that is not a time is returned as text with a note, never
 * thrown: a screen that shows it must not fail.
 */
export function formatTime(at: number | Date | string): string {
  const d = at instanceof Date ? at : new Date(typeof at === 'string' ? Date.parse(at) : at);
  const ms = d.getTime();
  if (!Number.isFinite(ms)) return `${String(at)} (not a valid time)`;
  const year = d.getUTCFullYear();
  const y = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  return `${y}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

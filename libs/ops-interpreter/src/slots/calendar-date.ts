// Calendar dates (YYYY-MM-DD) in an IANA time zone: the operator's "today", "this week" and
// "last month" are days where the operator (and the ledger's budgets) live, not UTC days.

/** A calendar date as year, month (1–12) and day. */
export interface CalendarDate {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

/** The calendar date of `now` in `timeZone` (throws RangeError for an unknown zone). */
export function dateInZone(now: Date, timeZone: string): CalendarDate {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return { y: get('year'), m: get('month'), d: get('day') };
}

/** `date` plus `days` (negative = earlier), across month and year ends. */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** The first day of the month `months` after (negative = before) `date`'s month. */
export function monthStart(date: CalendarDate, months = 0): CalendarDate {
  const t = new Date(Date.UTC(date.y, date.m - 1 + months, 1));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: 1 };
}

/** ISO weekday: Monday 1 … Sunday 7. */
export function isoWeekday(date: CalendarDate): number {
  const wd = new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay();
  return wd === 0 ? 7 : wd;
}

/** `YYYY-MM-DD`. */
export function formatDate(date: CalendarDate): string {
  return `${String(date.y).padStart(4, '0')}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;
}

/** A strict `YYYY-MM-DD` that names a real day, else undefined. */
export function parseDate(text: string): CalendarDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const date = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  return formatDate(addDays(date, 0)) === text ? date : undefined;
}

/** Days from `a` to `b` (positive when b is later). */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return Math.round((Date.UTC(b.y, b.m - 1, b.d) - Date.UTC(a.y, a.m - 1, a.d)) / 86_400_000);
}

/** Offset of `timeZone` from UTC at instant `ms`, in ms (positive east of Greenwich). */
function zoneOffsetMs(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a calendar day starts in `timeZone` (epoch ms): "2026-12-07" in Europe/Berlin is
 * 2026-12-06T23:00Z. Report periods given as dates become timestamps through this one function.
 */
export function zonedDayStartMs(date: CalendarDate, timeZone: string): number {
  const guess = Date.UTC(date.y, date.m - 1, date.d);
  const first = guess - zoneOffsetMs(guess, timeZone);
  // Re-check at the candidate: a DST change between the guess and the answer shifts the offset.
  return guess - zoneOffsetMs(first, timeZone);
}

/** True when `zone` is an IANA time zone this runtime knows (config and CLI checks use this one test). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

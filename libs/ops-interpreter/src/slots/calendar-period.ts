// English only: the full package loads every locale's parsers (~8 MiB more of code in every process that reads commands).
import * as chronoEn from 'chrono-node/en';
import { addDays, formatDate, type CalendarDate } from './calendar-date.ts';
import type { FoundPeriod } from './relative-period.ts';

/** Cheap test for a month name or a d/m date, so most phrases never reach the date parser. */
const WRITTEN_DATE = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\b\d{1,2}\/\d{1,2}\b/i;
const PIN_END = new Set(['until', 'till', 'til', 'through', 'thru', 'by']);

/**
 * Calendar dates written the way people write them ("since Dec 1", "on December 3rd", "from Nov 3
 * to Nov 10", "11/30"), read by chrono-node against `today` (month and day both stated, so
 * "Friday" or "now" never count here). "since/from D" runs through today; "D to E" ends at E
 * (exclusive, like "from 2026-11-01 to 2026-11-15"); a lone date is that one day. A date after
 * "until" is a pin's end, not a period. Word indexes are those of `raws`.
 */
export function findCalendarPeriod(raws: readonly string[], today: CalendarDate): FoundPeriod | undefined {
  if (!WRITTEN_DATE.test(raws.join(' '))) return undefined;
  const offsets: number[] = [];
  let text = '';
  for (const r of raws) {
    offsets.push(text.length === 0 ? 0 : text.length + 1);
    text = text.length === 0 ? r : `${text} ${r}`;
  }
  const ref = new Date(Date.UTC(today.y, today.m - 1, today.d, 12));
  for (const hit of chronoEn.parse(text, { instant: ref, timezone: 0 })) {
    if (!hit.start.isCertain('month') || !hit.start.isCertain('day')) continue;
    const first = tokenAt(offsets, hit.index);
    const last = tokenAt(offsets, hit.index + hit.text.length - 1);
    const before = raws[first - 1]?.toLowerCase() ?? '';
    if (PIN_END.has(before)) continue;
    const from = dayOf(hit.start.date());
    let to: CalendarDate;
    if (hit.end && hit.end.isCertain('day')) to = dayOf(hit.end.date());
    else if (before === 'since' || before === 'from') to = addDays(today, 1);
    else to = addDays(from, 1);
    const start = ['since', 'from', 'on', 'between'].includes(before) ? first - 1 : first;
    return { from: formatDate(from), to: formatDate(to), start, end: last + 1 };
  }
  return undefined;
}

/** The calendar day a short text starts with ("Dec 20", "December 20th"), month and day both stated; else undefined. */
export function leadingCalendarDate(text: string, today: CalendarDate): CalendarDate | undefined {
  const ref = new Date(Date.UTC(today.y, today.m - 1, today.d, 12));
  const hit = chronoEn.parse(text, { instant: ref, timezone: 0 }, { forwardDate: true })[0];
  return hit && hit.index === 0 && hit.start.isCertain('month') && hit.start.isCertain('day') ? dayOf(hit.start.date()) : undefined;
}

function tokenAt(offsets: readonly number[], char: number): number {
  let i = 0;
  while (i + 1 < offsets.length && offsets[i + 1]! <= char) i++;
  return i;
}

function dayOf(d: Date): CalendarDate {
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

// Budget periods in a configured IANA time zone (SOPHIA_BUDGET_TIMEZONE): which day / month a moment
// falls in and when that period ends. Uses Intl only (no tz database of our own), so DST changes and
// zones with odd offsets are right wherever the runtime's ICU data is.
import type { BudgetWindow } from './budget-store.ts';

/** Day / month periods and their reset times in one time zone. */
export interface BudgetCalendar {
  readonly timeZone: string;
  /** `2026-11-26` (day) or `2026-11` (month) containing `timeMs`, in the calendar's zone. */
  period(window: BudgetWindow, timeMs: number): string;
  /** Epoch ms when the period containing `timeMs` ends (the next local midnight / first of month). */
  resetsAtMs(window: BudgetWindow, timeMs: number): number;
  /** Epoch ms when the period containing `timeMs` started. */
  startsAtMs(window: BudgetWindow, timeMs: number): number;
}

interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/**
 * A calendar for `timeZone` (IANA name, e.g. `Europe/Berlin`, or `UTC`).
 * @throws RangeError when the runtime does not know the zone
 */
export function createBudgetCalendar(timeZone = 'UTC'): BudgetCalendar {
  // Throws RangeError "Invalid time zone specified" for unknown zones.
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const parts = (timeMs: number): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const p of format.formatToParts(new Date(timeMs))) if (p.type !== 'literal') out[p.type] = Number(p.value);
    return out;
  };
  const localDate = (timeMs: number): LocalDate => {
    const p = parts(timeMs);
    return { year: p['year'] ?? 1970, month: p['month'] ?? 1, day: p['day'] ?? 1 };
  };
  /** Local wall-clock minus UTC at `timeMs`, in ms. */
  const offsetMs = (timeMs: number): number => {
    const p = parts(timeMs);
    const wall = Date.UTC(p['year'] ?? 1970, (p['month'] ?? 1) - 1, p['day'] ?? 1, p['hour'] ?? 0, p['minute'] ?? 0, p['second'] ?? 0);
    return wall - Math.floor(timeMs / 1000) * 1000;
  };
  /** Epoch ms of local midnight starting (year, month, day); Date.UTC normalises overflowing fields. */
  const localMidnight = (year: number, month: number, day: number): number => {
    const wall = Date.UTC(year, month - 1, day);
    let guess = wall - offsetMs(wall);
    // A second pass settles guesses that crossed a DST change.
    guess = wall - offsetMs(guess);
    return guess;
  };
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

  interface Span {
    readonly startMs: number;
    readonly endMs: number;
    readonly label: string;
  }
  // Every reserve and commit asks for the day and month of "now" several times, and formatToParts
  // is slow; a period is a fixed [start, end) interval, so the current one is kept and reused.
  const current: { day?: Span; month?: Span } = {};
  const span = (window: BudgetWindow, timeMs: number): Span => {
    const cached = current[window];
    if (cached && timeMs >= cached.startMs && timeMs < cached.endMs) return cached;
    const d = localDate(timeMs);
    const month = `${pad(d.year, 4)}-${pad(d.month)}`;
    const fresh: Span =
      window === 'day'
        ? { startMs: localMidnight(d.year, d.month, d.day), endMs: localMidnight(d.year, d.month, d.day + 1), label: `${month}-${pad(d.day)}` }
        : { startMs: localMidnight(d.year, d.month, 1), endMs: localMidnight(d.year, d.month + 1, 1), label: month };
    current[window] = fresh;
    return fresh;
  };

  return {
    timeZone,
    period: (window, timeMs) => span(window, timeMs).label,
    resetsAtMs: (window, timeMs) => span(window, timeMs).endMs,
    startsAtMs: (window, timeMs) => span(window, timeMs).startMs,
  };
}

/** Calendar grains a question may group by. */
export const TIME_GRAINS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type TimeGrain = (typeof TIME_GRAINS)[number];

/** A half-open UTC range [start, end) plus the words that produced it (for explanations). */
export interface TimeRange {
  readonly start: Date;
  readonly end: Date;
  readonly label: string;
}

/** A time phrase found in a question: the range and where it sat (so the planner can consume it). */
export interface TimePhrase {
  readonly range: TimeRange;
  readonly matched: string;
}

const DAY_MS = 86_400_000;

function utcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** Start of the grain period containing `d` (weeks start on Monday, ISO). */
export function periodStart(d: Date, grain: TimeGrain): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (grain) {
    case 'day':
      return utcDay(d);
    case 'week': {
      const day = utcDay(d);
      const sinceMonday = (day.getUTCDay() + 6) % 7;
      return new Date(day.getTime() - sinceMonday * DAY_MS);
    }
    case 'month':
      return new Date(Date.UTC(y, m, 1));
    case 'quarter':
      return new Date(Date.UTC(y, m - (m % 3), 1));
    case 'year':
      return new Date(Date.UTC(y, 0, 1));
  }
}

/** `d` moved by `n` grain periods (calendar arithmetic for months, quarters, years). */
export function addPeriods(d: Date, grain: TimeGrain, n: number): Date {
  switch (grain) {
    case 'day':
      return new Date(d.getTime() + n * DAY_MS);
    case 'week':
      return new Date(d.getTime() + 7 * n * DAY_MS);
    case 'month':
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate()));
    case 'quarter':
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 3 * n, d.getUTCDate()));
    case 'year':
      return new Date(Date.UTC(d.getUTCFullYear() + n, d.getUTCMonth(), d.getUTCDate()));
  }
}

const GRAIN_WORD = '(day|week|month|quarter|year)s?';
const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12, thirty: 30 };

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Finds the first relative time phrase in a (lower-cased) question and resolves it against `now`
 * in UTC: "today", "yesterday", "this|last|previous week|month|quarter|year", "last N days|weeks|
 * months" (N days ending today, today included), "year to date"/"ytd", "month to date". Periods are
 * calendar periods; "last quarter" is the previous complete calendar quarter.
 */
export function findTimePhrase(question: string, now: Date): TimePhrase | undefined {
  const q = question.toLowerCase();
  const today = utcDay(now);
  const tomorrow = addPeriods(today, 'day', 1);
  const candidates: Array<{ index: number; phrase: TimePhrase }> = [];
  const add = (m: RegExpExecArray | null, range: (m: RegExpExecArray) => Omit<TimeRange, 'label'>): void => {
    if (m) candidates.push({ index: m.index, phrase: { matched: m[0], range: { ...range(m), label: m[0].trim().replace(/^(?:in |during |for )?(?:the )?/, '') } } });
  };
  add(/\btoday\b/.exec(q), () => ({ start: today, end: tomorrow }));
  add(/\byesterday\b/.exec(q), () => ({ start: addPeriods(today, 'day', -1), end: today }));
  add(new RegExp(`\\b(?:in |during )?(?:the )?(?:last|past|previous|trailing) (\\d+|${Object.keys(NUMBER_WORDS).join('|')}) ${GRAIN_WORD}\\b`).exec(q), (m) => {
    const n = /^\d+$/.test(m[1]!) ? Number(m[1]) : NUMBER_WORDS[m[1]!]!;
    const grain = m[2] as TimeGrain;
    return { start: addPeriods(tomorrow, grain, -n), end: tomorrow };
  });
  add(new RegExp(`\\b(?:in |during |for )?(?:the )?(this|current|last|previous|prior) ${GRAIN_WORD}\\b`).exec(q), (m) => {
    const grain = m[2] as TimeGrain;
    const current = periodStart(today, grain);
    return m[1] === 'this' || m[1] === 'current' ? { start: current, end: addPeriods(current, grain, 1) } : { start: addPeriods(current, grain, -1), end: current };
  });
  add(/\b(?:year to date|ytd)\b/.exec(q), () => ({ start: periodStart(today, 'year'), end: tomorrow }));
  add(/\b(?:month to date|mtd)\b/.exec(q), () => ({ start: periodStart(today, 'month'), end: tomorrow }));
  candidates.sort((a, b) => a.index - b.index || b.phrase.matched.length - a.phrase.matched.length);
  return candidates[0]?.phrase;
}

/** `[start, end)` as readable text for explanations: "2026-07-01 to 2026-09-30". */
export function describeRange(range: TimeRange): string {
  return `${isoDay(range.start)} to ${isoDay(new Date(range.end.getTime() - DAY_MS))}`;
}

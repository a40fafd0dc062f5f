import { addDays, formatDate, isoWeekday, monthStart, parseDate, type CalendarDate } from './calendar-date.ts';

/** A reporting period as calendar dates, `to` exclusive. */
export interface Period {
  readonly from: string;
  readonly to: string;
}

/** A period found in a command and where it was (word indexes, end exclusive), so other slots skip it. */
export interface FoundPeriod extends Period {
  readonly start: number;
  readonly end: number;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const UNIT_DAYS: Readonly<Record<string, number>> = { day: 1, days: 1, week: 7, weeks: 7, month: 30, months: 30 };

type Rule = (w: readonly string[], i: number, today: CalendarDate) => { period: Period; length: number } | undefined;

const span = (from: CalendarDate, to: CalendarDate): Period => ({ from: formatDate(from), to: formatDate(to) });
const weekStart = (d: CalendarDate): CalendarDate => addDays(d, 1 - isoWeekday(d));
const quarterStart = (d: CalendarDate): CalendarDate => ({ y: d.y, m: d.m - ((d.m - 1) % 3), d: 1 });
const TO_DATE: Readonly<Record<string, (d: CalendarDate) => CalendarDate>> = {
  week: weekStart, wtd: weekStart, month: (d) => monthStart(d), mtd: (d) => monthStart(d), quarter: quarterStart, qtd: quarterStart, year: (d) => ({ y: d.y, m: 1, d: 1 }), ytd: (d) => ({ y: d.y, m: 1, d: 1 }),
};

/**
 * Relative periods, longest match first. "Last/past N days" are N calendar days ending with today
 * (to = tomorrow); "this week" is the ISO week from Monday and "this month" the calendar month,
 * both whole (to = their next start); "last week" / "last month" the previous whole ones.
 */
const RULES: readonly Rule[] = [
  // "the last 7 days", "past 14 days", "previous 2 weeks", "last 24 hours" (→ 1 day)
  (w, i, today) => {
    if (!['last', 'past', 'previous', 'recent', 'trailing'].includes(w[i]!)) return undefined;
    const n = Number(w[i + 1]);
    const unit = w[i + 2] ?? '';
    if (Number.isInteger(n) && n > 0 && unit in UNIT_DAYS) return { period: span(addDays(today, 1 - n * UNIT_DAYS[unit]!), addDays(today, 1)), length: 3 };
    if (Number.isInteger(n) && n > 0 && (unit === 'hours' || unit === 'hour')) return { period: span(addDays(today, 1 - Math.ceil(n / 24)), addDays(today, 1)), length: 3 };
    return undefined;
  },
  (w, i, today) => (w[i] === 'this' && w[i + 1] === 'week' ? { period: span(weekStart(today), addDays(weekStart(today), 7)), length: 2 } : undefined),
  (w, i, today) => (['last', 'previous', 'prior'].includes(w[i]!) && w[i + 1] === 'week' ? { period: span(addDays(weekStart(today), -7), weekStart(today)), length: 2 } : undefined),
  (w, i, today) => (w[i] === 'past' && w[i + 1] === 'week' ? { period: span(addDays(today, -6), addDays(today, 1)), length: 2 } : undefined),
  (w, i, today) => (w[i] === 'next' && w[i + 1] === 'week' ? { period: span(addDays(weekStart(today), 7), addDays(weekStart(today), 14)), length: 2 } : undefined),
  (w, i, today) => (w[i] === 'this' && w[i + 1] === 'month' ? { period: span(monthStart(today), monthStart(today, 1)), length: 2 } : undefined),
  (w, i, today) => (['last', 'previous', 'prior'].includes(w[i]!) && w[i + 1] === 'month' ? { period: span(monthStart(today, -1), monthStart(today)), length: 2 } : undefined),
  (w, i, today) => (w[i] === 'past' && w[i + 1] === 'month' ? { period: span(addDays(today, -29), addDays(today, 1)), length: 2 } : undefined),
  (w, i, today) => (w[i] === 'next' && w[i + 1] === 'month' ? { period: span(monthStart(today, 1), monthStart(today, 2)), length: 2 } : undefined),
  (w, i, today) => (w[i] === 'yesterday' ? { period: span(addDays(today, -1), today), length: 1 } : undefined),
  (w, i, today) => (w[i] === 'today' ? { period: span(today, addDays(today, 1)), length: 1 } : undefined),
  (w, i, today) => (w[i] === 'this' && w[i + 1] === 'year' ? { period: span({ y: today.y, m: 1, d: 1 }, { y: today.y + 1, m: 1, d: 1 }), length: 2 } : undefined),
  (w, i, today) => (['last', 'previous', 'prior'].includes(w[i]!) && w[i + 1] === 'year' ? { period: span({ y: today.y - 1, m: 1, d: 1 }, { y: today.y, m: 1, d: 1 }), length: 2 } : undefined),
  // "week/month/quarter/year to date" (wtd, mtd, qtd, ytd): from the start of that unit through today.
  (w, i, today) => {
    const start = TO_DATE[w[i]!];
    if (!start) return undefined;
    if (/^[wmqy]td$/.test(w[i]!)) return { period: span(start(today), addDays(today, 1)), length: 1 };
    return w[i + 1] === 'to' && w[i + 2] === 'date' ? { period: span(start(today), addDays(today, 1)), length: 3 } : undefined;
  },
  // "this quarter" whole; "last quarter" the previous calendar quarter.
  (w, i, today) => (w[i] === 'this' && w[i + 1] === 'quarter' ? { period: span(quarterStart(today), monthStart(quarterStart(today), 3)), length: 2 } : undefined),
  (w, i, today) => (['last', 'previous', 'prior'].includes(w[i]!) && w[i + 1] === 'quarter' ? { period: span(monthStart(quarterStart(today), -3), quarterStart(today)), length: 2 } : undefined),
  // "in November" (the latest November not after today), "november 2026"
  (w, i, today) => {
    const m = MONTHS.indexOf(w[i]!) + 1;
    if (m === 0 || (w[i] === 'may' && w[i - 1] !== 'in' && w[i - 1] !== 'for')) return undefined;
    // "December 3rd" is one day, read as a calendar date (calendar-period.ts), not the month.
    if (/^\d{1,2}(st|nd|rd|th)?$/.test(w[i + 1] ?? '')) return undefined;
    const year = /^\d{4}$/.test(w[i + 1] ?? '') ? Number(w[i + 1]) : m > today.m ? today.y - 1 : today.y;
    const start = { y: year, m, d: 1 };
    return { period: span(start, monthStart(start, 1)), length: /^\d{4}$/.test(w[i + 1] ?? '') ? 2 : 1 };
  },
  // "from 2026-11-01 to 2026-11-15", "since 2026-11-01"
  (w, i, today) => {
    if ((w[i] === 'from' || w[i] === 'between') && parseDate(w[i + 1] ?? '') && ['to', 'and', 'until', 'through'].includes(w[i + 2] ?? '') && parseDate(w[i + 3] ?? '')) {
      const end = parseDate(w[i + 3]!)!;
      return { period: span(parseDate(w[i + 1]!)!, w[i + 2] === 'through' ? addDays(end, 1) : end), length: 4 };
    }
    if (w[i] === 'since' && parseDate(w[i + 1] ?? '')) return { period: span(parseDate(w[i + 1]!)!, addDays(today, 1)), length: 2 };
    return undefined;
  },
];

/** The first relative or explicit period in the words, evaluated against `today`; undefined when none. */
export function findPeriod(words: readonly string[], today: CalendarDate): FoundPeriod | undefined {
  for (let i = 0; i < words.length; i++) {
    // "until Friday" / "till the end of the week" is a pin's end, not a report period.
    if (['until', 'till', 'til', 'through', 'thru'].includes(words[i - 1] ?? '') || ['until', 'till'].includes(words[i - 2] ?? '')) continue;
    for (const rule of RULES) {
      const hit = rule(words, i, today);
      if (hit) {
        let start = i;
        // Swallow the preposition and article in front ("for the last 7 days", "over the past week").
        if (words[start - 1] === 'the') start--;
        if (['for', 'over', 'in', 'during', 'from', 'since', 'of'].includes(words[start - 1] ?? '')) start--;
        // "yesterday's usage": the possessive belongs to the period, not to a name before it.
        const end = words[i + hit.length] === "'s" ? i + hit.length + 1 : i + hit.length;
        return { ...hit.period, start, end };
      }
    }
  }
  return undefined;
}

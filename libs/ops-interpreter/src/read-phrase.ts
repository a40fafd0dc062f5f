import { dateInZone, type CalendarDate } from './slots/calendar-date.ts';
import { findCalendarPeriod } from './slots/calendar-period.ts';
import { findPeriod, type Period } from './slots/relative-period.ts';
import { createPhrase, type Phrase } from './text/phrase.ts';
import { tokenize } from './text/tokenize.ts';

/** A command read once: the whole phrase, the phrase with its period cut out, the period and "today". */
export interface ReadPhrase {
  readonly whole: Phrase;
  readonly phrase: Phrase;
  readonly period: Period | undefined;
  readonly today: CalendarDate;
}

/** Tokenizes the text and cuts out its reporting period (relative or written as a calendar date). */
export function readPhrase(text: string, now: Date, timeZone: string): ReadPhrase {
  const today = dateInZone(now, timeZone);
  const tokens = tokenize(text);
  const whole = createPhrase(tokens);
  const found = findPeriod(whole.words, today) ?? findCalendarPeriod(whole.raws, today);
  const phrase = found ? createPhrase([...tokens.slice(0, found.start), ...tokens.slice(found.end)]) : whole;
  return { whole, phrase, period: found ? { from: found.from, to: found.to } : undefined, today };
}

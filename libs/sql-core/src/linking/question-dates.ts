const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** A day range `[from, to]` as `YYYYMMDD` strings (inclusive). */
export interface DateSpan {
  readonly from: string;
  readonly to: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');
const lastDay = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

/**
 * Dates a question names — `2017-08-01`, `20170801`, `August 1, 2017`, `1 Aug 2017`, `August 2017`,
 * `2017` — as day spans, and `between X and Y` / `from X to Y` as one span. Exists to pick the shards of
 * a date-sharded table family that a question is about.
 */
export function datesInQuestion(question: string): DateSpan[] {
  const text = question.toLowerCase();
  const found: { at: number; span: DateSpan }[] = [];
  const taken: [number, number][] = [];
  const add = (at: number, len: number, y: number, m?: number, d?: number): void => {
    if (taken.some(([s, e]) => at < e && at + len > s)) return;
    if (y < 1900 || y > 2099 || (m !== undefined && (m < 1 || m > 12)) || (d !== undefined && m !== undefined && (d < 1 || d > lastDay(y, m)))) return;
    taken.push([at, at + len]);
    const from = `${y}${pad(m ?? 1)}${pad(d ?? 1)}`;
    const to = `${y}${pad(m ?? 12)}${pad(d ?? lastDay(y, m ?? 12))}`;
    found.push({ at, span: { from, to } });
  };
  const month = (w: string): number => MONTHS.indexOf(w.slice(0, 3)) + 1;
  const monthWord = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
  for (const m of text.matchAll(/\b((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})\b/g)) add(m.index, m[0].length, +m[1]!, +m[2]!, +m[3]!);
  for (const m of text.matchAll(/\b((?:19|20)\d{2})(0[1-9]|1[0-2])([0-3]\d)\b/g)) add(m.index, m[0].length, +m[1]!, +m[2]!, +m[3]!);
  for (const m of text.matchAll(new RegExp(`\\b${monthWord}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+((?:19|20)\\d{2})\\b`, 'g'))) add(m.index, m[0].length, +m[3]!, month(m[1]!), +m[2]!);
  for (const m of text.matchAll(new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${monthWord}\\.?,?\\s+((?:19|20)\\d{2})\\b`, 'g'))) add(m.index, m[0].length, +m[3]!, month(m[2]!), +m[1]!);
  for (const m of text.matchAll(/\b((?:19|20)\d{2})[-/](0[1-9]|1[0-2])\b/g)) add(m.index, m[0].length, +m[1]!, +m[2]!);
  for (const m of text.matchAll(new RegExp(`\\b${monthWord}\\.?,?\\s+(?:of\\s+)?((?:19|20)\\d{2})\\b`, 'g'))) add(m.index, m[0].length, +m[2]!, month(m[1]!));
  // A month and day without a year take the year written elsewhere in the question.
  const years = [...text.matchAll(/\b((?:19|20)\d{2})\b/g)];
  for (const m of text.matchAll(new RegExp(`\\b${monthWord}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?!\\s*,?\\s*(?:19|20)\\d{2})`, 'g'))) {
    if (years.length > 0) add(m.index, m[0].length, +years[years.length - 1]![1]!, month(m[1]!), +m[2]!);
  }
  for (const m of years) add(m.index, m[0].length, +m[1]!);
  found.sort((a, b) => a.at - b.at);
  // `between A and B` / `from A to|until|through B`: one span from the first to the second.
  if (found.length === 2 && /\b(between|from)\b[\s\S]*\b(and|to|until|through|-)\b/.test(text.slice(Math.max(0, found[0]!.at - 12)))) {
    return [{ from: found[0]!.span.from, to: found[1]!.span.to }];
  }
  return found.map((f) => f.span);
}

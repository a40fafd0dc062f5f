// Numbers written as words ("twenty", "twenty-five", "a hundred", "two thousand") → digits, so the
// slot extractors only ever see numerals.

const UNITS: Readonly<Record<string, number>> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19, dozen: 12,
};
const TENS: Readonly<Record<string, number>> = {
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const SCALES: Readonly<Record<string, number>> = { hundred: 100, thousand: 1000, million: 1_000_000 };

/** Every number word, for typo correction ("twnety" → "twenty"). */
export const NUMBER_WORDS: ReadonlySet<string> = new Set([...Object.keys(UNITS), ...Object.keys(TENS), ...Object.keys(SCALES)]);

/** A word with its original spelling; number runs merge into one with the raw words joined. */
interface Spelled {
  readonly word: string;
  readonly raw: string;
}

/**
 * Replaces every run of number words in a token list with one numeral token ("twenty five" →
 * "25", "a hundred" → "100", "two thousand five hundred" → "2500"); "a" / "an" count as one only
 * directly before a scale word. Other tokens pass through unchanged.
 */
export function numberWordsToDigits<T extends Spelled>(tokens: readonly T[]): Spelled[] {
  const out: Spelled[] = [];
  let i = 0;
  while (i < tokens.length) {
    const start = i;
    let total = 0;
    let current = 0;
    let used = false;
    while (i < tokens.length) {
      const w = tokens[i]!.word;
      const next = tokens[i + 1]?.word;
      if ((w === 'a' || w === 'an') && !used && next !== undefined && next in SCALES) current = 1;
      else if (w in UNITS) current += UNITS[w]!;
      else if (w in TENS) current += TENS[w]!;
      else if (w in SCALES && used) {
        if (SCALES[w] === 100) current *= 100;
        else {
          total += current * SCALES[w]!;
          current = 0;
        }
      } else if (!(w === 'and' && used && next !== undefined && (next in UNITS || next in TENS))) break;
      used = true;
      i++;
    }
    if (i === start) {
      out.push(tokens[i]!);
      i++;
    } else out.push({ word: String(total + current), raw: tokens.slice(start, i).map((t) => t.raw).join(' ') });
  }
  return out;
}

import { stemOf } from '../text/english.ts';
import { conceptsOf } from '../text/lexicon.ts';
import type { Phrase } from '../text/phrase.ts';

/** A word's shape when its spelling carries no meaning for the intent: numbers, money, percentages, ids. */
function shapeOf(word: string): string | undefined {
  if (/^\$|^\d[\d,]*(\.\d+)?[km]?$/.test(word)) return /^\$/.test(word) ? '<money>' : '<num>';
  if (/%$/.test(word)) return '<pct>';
  if (/^\d{4}-\d{2}-\d{2}/.test(word)) return '<date>';
  if (/^[0-9a-f]{16,}$/.test(word) || (/\d/.test(word) && /[-_]/.test(word))) return '<id>';
  return undefined;
}

/**
 * The sparse features the intent model reads from a phrase (period already cut out): word shapes
 * or spellings, stems, lexicon concepts, stem bigrams, the opening word, and whether a period was
 * given. Concepts carry the lexicon's synonyms, so a word the training phrases never used still
 * counts through its concept.
 */
export function intentFeatures(p: Phrase, hasPeriod: boolean): string[] {
  const out = new Set<string>();
  const stems = p.words.map((w) => shapeOf(w) ?? stemOf(w));
  p.words.forEach((w, i) => {
    const shape = shapeOf(w);
    out.add(shape ? `w:${shape}` : `w:${w}`);
    out.add(`s:${stems[i]}`);
    for (const c of conceptsOf(w)) out.add(`c:${c}`);
    if (i + 1 < stems.length) out.add(`b:${stems[i]}_${stems[i + 1]}`);
  });
  out.add(`f:${stems[0] ?? ''}`);
  if (hasPeriod) out.add('period');
  out.add(`len:${Math.min(p.words.length, 12) >> 2}`);
  return [...out];
}

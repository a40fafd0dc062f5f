import { freshSet } from '../eval/fresh-set.ts';
import { labelledSet } from '../eval/labelled-set.ts';
import { editDistance } from './edit-distance.ts';
import { isEnglishWord } from './english.ts';
import { CALENDAR_WORDS, COMMON_WORDS, VOCABULARY } from './lexicon.ts';
import { NUMBER_WORDS, numberWordsToDigits } from './number-words.ts';

/** One word of the command: `word` is what rules match (lower case, typo-corrected, numbers as digits), `raw` keeps the caller's spelling for names. */
export interface Token {
  readonly word: string;
  readonly raw: string;
}

/** The typo corrector's vocabulary, as a set and by word length. */
interface Vocabulary {
  readonly words: ReadonlySet<string>;
  readonly byLength: ReadonlyMap<number, readonly string[]>;
}
let vocabulary: Vocabulary | undefined;

/**
 * Words a typo may be corrected to: the lexicon, number words, calendar words, and every real
 * English word (5+ letters) of the training phrasings — the vocabulary the rules were written for
 * ("routing", "running", "since", "quarter"), never the held-out sets. Built on first use, not at
 * import: it needs the 275k-word English list, which a process that never reads a command (a
 * gateway serving only completions) should not load.
 */
function vocabularyOf(): Vocabulary {
  if (vocabulary) return vocabulary;
  const words = new Set([
    ...VOCABULARY,
    ...NUMBER_WORDS,
    ...CALENDAR_WORDS,
    ...[...labelledSet(), ...freshSet()].flatMap((i) => i.text.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => isEnglishWord(w)),
  ]);
  const byLength = new Map<number, string[]>();
  for (const w of words) byLength.set(w.length, [...(byLength.get(w.length) ?? []), w]);
  vocabulary = { words, byLength };
  return vocabulary;
}

/**
 * The vocabulary word a misspelt word most likely means: one edit for words of 4–7 letters, two
 * from 8. Among equally close words the one of the same length wins (a swap or a wrong letter is
 * likelier than a lost one); a remaining tie is no correction. Known words, real English words and
 * ids stay as they are.
 */
export function correctTypo(word: string): string {
  if (word.length < 4 || !/^[a-z]+$/.test(word) || COMMON_WORDS.has(word)) return word;
  const { words, byLength } = vocabularyOf();
  if (words.has(word) || isEnglishWord(word)) return word;
  const max = word.length >= 8 ? 2 : 1;
  let best: string | undefined;
  let bestRank = Infinity;
  let tie = false;
  for (let len = word.length - max; len <= word.length + max; len++) {
    for (const candidate of byLength.get(len) ?? []) {
      const d = editDistance(word, candidate, max);
      if (d > max) continue;
      const rank = d * 10 + (candidate.length === word.length ? 0 : 1);
      if (rank < bestRank) {
        best = candidate;
        bestRank = rank;
        tie = false;
      } else if (rank === bestRank) tie = true;
    }
  }
  return best !== undefined && !tie ? best : word;
}

const CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(what|that|it|there|how|who|where)'s\b/gi, '$1 is'],
  [/\b(\w+)'re\b/gi, '$1 are'],
  [/\b(\w+)n't\b/gi, '$1 not'],
  [/\b(\w+)'ll\b/gi, '$1 will'],
  [/\b(\w+)'d\b/gi, '$1 would'],
];
const TOKEN = /\$\s?\d[\d,]*(?:\.\d+)?[kKmM]?\b|-?\d{4}-\d{2}-\d{2}(?:[Tt][\d:.]+[Zz]?)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|'s|[A-Za-z0-9][A-Za-z0-9_.\-/:]*[A-Za-z0-9%]|[A-Za-z0-9]|[$%]/g;

const POLITE_LEAD = /^((please|pls|plz|kindly|hey|hi|hello|ok|okay|so|now|quick one|quick question|could you|can you|would you|will you|could u|can u|you|i need you to|i want you to|i would like you to|i would like to|i want to|i need to|i wish to|let us|lets|go ahead and|just|help me|sophia)\s+)+/;
const POLITE_TAIL = /(\s+(please|pls|plz|thanks|thank you|thx|ty|asap|for me|if you can|if possible|now|right now|right away|quickly|thank you very much|cheers))+$/;

/** Drops greetings and politeness around the command ("hey, could you … please, thanks"). */
function stripPoliteness(tokens: Token[]): Token[] {
  const text = tokens.map((t) => t.word).join(' ');
  const lead = POLITE_LEAD.exec(text)?.[0] ?? '';
  const rest = text.slice(lead.length);
  const tail = POLITE_TAIL.exec(rest)?.[0] ?? '';
  const count = (s: string): number => (s.trim() === '' ? 0 : s.trim().split(/\s+/).length);
  const kept = tokens.slice(count(lead), tokens.length - count(tail));
  return kept.length > 0 ? kept : tokens;
}

/**
 * Splits a command into tokens: NFKC, contractions expanded, possessive `'s` as its own token,
 * amounts (`$2,500`, `1.5k`), percentages and ids (`ov-7f3a2c`, `gpu_1x_a100`, `2026-12-31`) kept
 * whole; other punctuation dropped; typos corrected; numbers in words turned into digits;
 * politeness around the command dropped.
 */
export function tokenize(text: string): Token[] {
  let t = text.normalize('NFKC').replace(/[\u2018\u2019\u02bc`]/g, "'").replace(/[\u201c\u201d]/g, '"');
  for (const [re, to] of CONTRACTIONS) t = t.replace(re, to);
  t = t.replace(/(\w)'s\b/gi, "$1 's");
  // Time fillers say nothing a command needs ("which is cheaper for us right now"); "a-vs-b" is three words.
  t = t.replace(/\b(right now|at the moment|as of now)\b/gi, ' ').replace(/\b([a-z]+)-(vs|versus)-([a-z]+)\b/gi, '$1 $2 $3');
  const raws = (t.match(TOKEN) ?? []).flatMap((r) => (/^[a-z]+-[a-z]+$/i.test(r) && r.split('-').every((p) => NUMBER_WORDS.has(correctTypo(p.toLowerCase())) ) ? r.split('-') : [r]));
  const corrected = raws.map((raw) => ({ word: correctTypo(raw.toLowerCase()), raw }));
  return numberWordsToDigits(stripPoliteness(corrected));
}

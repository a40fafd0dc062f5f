// General English knowledge the interpreter leans on instead of hand lists: which strings are real
// words (a typo corrector must not "correct" them), which are function words (never a tenant or
// workload name), and word stems (so "sending", "pinned", "optimising" reach their concept).
// Sources: an-array-of-english-words (~275k words), stopword (its English list), Porter2 stemmer.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Plain-JavaScript packages without type declarations, typed here at the one place they are loaded.
const stem = require('wink-porter2-stemmer') as (word: string) => string;
let stopwords: ReadonlySet<string> | undefined;

/**
 * The word list as one sorted string and an offset table: two objects instead of ~250k strings, so
 * the garbage collector has nothing to walk and a lookup is a binary search (no pause in the p99).
 */
interface CompactWords {
  readonly text: string;
  readonly starts: Uint32Array;
}
let compact: CompactWords | undefined;

function loadWords(): CompactWords {
  // Read and parsed here rather than `require`d: require's cache would keep the 275k-string array
  // (~17 MiB of heap) alive for the life of the process after it is compacted.
  const all = JSON.parse(readFileSync(require.resolve('an-array-of-english-words'), 'utf8')) as string[];
  const list = all.filter((w) => w.length >= 5).sort();
  const starts = new Uint32Array(list.length + 1);
  let at = 0;
  list.forEach((w, i) => {
    starts[i] = at;
    at += w.length;
  });
  starts[list.length] = at;
  return { text: list.join(''), starts };
}

/**
 * True when `word` (lower case) is a real English word of five letters or more, which a typo
 * corrector must leave alone ("sending" is not "spending"). Shorter entries of the 275k list are
 * mostly rare forms ("rout", "sett") that collide with typos of short keywords, so they do not count.
 */
export function isEnglishWord(word: string): boolean {
  if (word.length < 5) return false;
  compact ??= loadWords();
  const { text, starts } = compact;
  let lo = 0;
  let hi = starts.length - 2;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const w = text.slice(starts[mid]!, starts[mid + 1]!);
    if (w === word) return true;
    if (w < word) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** True when `word` (lower case) is an English function word ("the", "this", "now", "which"): never a name. */
export function isStopword(word: string): boolean {
  stopwords ??= new Set((require('stopword') as { eng: string[] }).eng);
  return stopwords.has(word);
}

/** The Porter2 stem of a lower-case word. */
export function stemOf(word: string): string {
  return /^[a-z]+$/.test(word) ? stem(word) : word;
}

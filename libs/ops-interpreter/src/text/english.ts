// General English knowledge the interpreter leans on instead of hand lists: which strings are real
// words (a typo corrector must not "correct" them), which are function words (never a tenant or
// workload name), and word stems (so "sending", "pinned", "optimising" reach their concept).
// Sources: an-array-of-english-words (~275k words), stopword (its English list), Porter2 stemmer.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Plain-JavaScript packages without type declarations, typed here at the one place they are loaded.
const stem = require('wink-porter2-stemmer') as (word: string) => string;
let words: ReadonlySet<string> | undefined;
let stopwords: ReadonlySet<string> | undefined;

/**
 * True when `word` (lower case) is a real English word of five letters or more, which a typo
 * corrector must leave alone ("sending" is not "spending"). Shorter entries of the 275k list are
 * mostly rare forms ("rout", "sett") that collide with typos of short keywords, so they do not count.
 */
export function isEnglishWord(word: string): boolean {
  if (word.length < 5) return false;
  words ??= new Set(require('an-array-of-english-words') as string[]);
  return words.has(word);
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

import { conceptsOf, type Concept } from './lexicon.ts';
import type { Token } from './tokenize.ts';

/** A tokenized command with concept look-ups: what intent rules and slot extractors read. */
export interface Phrase {
  readonly words: readonly string[];
  readonly raws: readonly string[];
  /** The words joined by single spaces, for multi-word patterns. */
  readonly text: string;
  /** True when some word signals the concept. */
  has(concept: Concept): boolean;
  /** Index of the first word signalling the concept at or after `from`, else -1. */
  find(concept: Concept, from?: number): number;
  /** Number of words signalling the concept. */
  count(concept: Concept): number;
}

/** Wraps tokens (a period already cut out, if any) as a {@link Phrase}. */
export function createPhrase(tokens: readonly Token[]): Phrase {
  const words = tokens.map((t) => t.word);
  const concepts = words.map(conceptsOf);
  return {
    words,
    raws: tokens.map((t) => t.raw),
    text: words.join(' '),
    has: (c) => concepts.some((s) => s.has(c)),
    find: (c, from = 0) => {
      for (let i = from; i < concepts.length; i++) if (concepts[i]!.has(c)) return i;
      return -1;
    },
    count: (c) => concepts.filter((s) => s.has(c)).length,
  };
}

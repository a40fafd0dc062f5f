import { createRequire } from 'node:module';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { loadCompactBpe } from './compact-bpe.ts';
import { createSafeTokenCounter } from './safe-token-counter.ts';

let counter: ((text: string) => number) | undefined;

/**
 * The o200k token counter (gpt-tokenizer's default encoding: the simulator's and GPT-4o's), built on
 * first call from the vocabulary file gpt-tokenizer ships, in the compact form of compact-bpe.ts:
 * ≈ 4 MiB instead of the +62 MiB of RSS gpt-tokenizer's own tables cost a process, with the same
 * counts. Wrapped by {@link createSafeTokenCounter}: never throws on text such as "<|endoftext|>"
 * (counted as the text it is), linear time.
 */
export function o200kCounter(): (text: string) => number {
  if (counter === undefined) {
    const file = createRequire(import.meta.url).resolve('gpt-tokenizer/data/o200k_base.tiktoken');
    const bpe = loadCompactBpe(file, O200K_TOKEN_SPLIT_REGEX);
    counter = createSafeTokenCounter((text) => bpe.count(text), O200K_TOKEN_SPLIT_REGEX);
  }
  return counter;
}

/** {@link o200kCounter} for callers written against the lazily imported tables (kept: the router's lazy counting). */
export function loadO200kCounter(): Promise<(text: string) => number> {
  return Promise.resolve().then(o200kCounter);
}

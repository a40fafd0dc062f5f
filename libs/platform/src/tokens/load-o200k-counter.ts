import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { createSafeTokenCounter } from './safe-token-counter.ts';

let loading: Promise<(text: string) => number> | undefined;

/**
 * The o200k token counter (gpt-tokenizer's default encoding: the simulator's, the classifier's and
 * GPT-4o's), loaded on first call: its tables take ≈ 76 MB, which a process that rarely counts should
 * not carry from start-up. Wrapped by {@link createSafeTokenCounter}: never throws, linear time.
 */
export function loadO200kCounter(): Promise<(text: string) => number> {
  loading ??= import('gpt-tokenizer').then((m) => createSafeTokenCounter(m.countTokens, O200K_TOKEN_SPLIT_REGEX));
  return loading;
}

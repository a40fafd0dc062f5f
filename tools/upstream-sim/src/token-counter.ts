import { createSafeTokenCounter } from '@sophia/platform/tokens';
import { countTokens, decode, encode } from 'gpt-tokenizer';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';

/**
 * Token counting for usage figures. The simulator uses gpt-tokenizer's default encoding (o200k_base)
 * and its chat format for `gpt-4o`, so a test or a ledger check can recompute the exact numbers with
 * `encodeChat(messages, 'gpt-4o')` from the same package.
 */

/** One chat message as the tokenizer sees it (content already flattened to text). */
export interface PromptMessage {
  role: string;
  content: string;
  name?: string;
}

/** Treat special-token text such as "<|endoftext|>" in user content as plain text instead of throwing. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** The chat model whose message framing is counted (per-message overhead plus the assistant prime). */
export const TOKENIZER_CHAT_MODEL = 'gpt-4o';

/** o200k counts that stay linear on a flood (the BPE is quadratic inside one long pre-token). */
const countText = createSafeTokenCounter(countTokens, O200K_TOKEN_SPLIT_REGEX);

/**
 * Prompt tokens of a chat request, counted the way OpenAI bills them: equal to
 * `encodeChat(messages, 'gpt-4o').length` — per message `<|im_start|>` name-or-role `<|im_sep|>` content
 * `<|im_end|>`, plus `<|im_start|>assistant<|im_sep|>` — but counted per part, so a prompt of 200,000
 * newlines costs milliseconds instead of 25 s (`token-counter.spec.ts` checks the equality).
 */
export function countPromptTokens(messages: readonly PromptMessage[]): number {
  let total = 3;
  for (const m of messages) total += 3 + countText(m.name ?? m.role) + countText(m.content);
  return total;
}

/** Tokens of plain text; the simulator streams exactly these, one per chunk. */
export function encodeText(text: string): number[] {
  return encode(text, PLAIN_TEXT);
}

/** The text of a single token; every token the simulator emits is ASCII, so this is always whole. */
export function decodeToken(token: number): string {
  return decode([token]);
}

/** Tokens in a piece of text; exported so callers can check usage against emitted text. */
export function countTextTokens(text: string): number {
  return encodeText(text).length;
}

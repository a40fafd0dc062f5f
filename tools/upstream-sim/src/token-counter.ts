import { decode, encode, encodeChat } from 'gpt-tokenizer';

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

/** Prompt tokens of a chat request, counted the way OpenAI bills them. */
export function countPromptTokens(messages: readonly PromptMessage[]): number {
  return encodeChat(messages, TOKENIZER_CHAT_MODEL, PLAIN_TEXT).length;
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

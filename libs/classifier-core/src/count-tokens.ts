import { countChatPromptTokens, o200kCounter } from '@sophia/platform/tokens';
import type { ChatMessage } from './task-type.ts';

/** o200k counts that never throw on special-token text and stay linear on pathological runs (built at import). */
const countText = o200kCounter();

/**
 * Counts prompt tokens for a conversation with the o200k BPE (GPT-4o family), the same tokenizer the
 * ledger uses for estimates, so the router's cost forecast and the bill agree to within template noise.
 * Text such as "<|endoftext|>" in a message is counted as the text it is.
 */
export function countPromptTokens(messages: ReadonlyArray<ChatMessage>): number {
  return countChatPromptTokens(countText, messages);
}

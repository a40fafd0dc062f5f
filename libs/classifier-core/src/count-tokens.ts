import { countChatPromptTokens, createSafeTokenCounter } from '@sophia/platform/tokens';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import type { ChatMessage } from './task-type.ts';

/** o200k counts that never throw on special-token text and stay linear on pathological runs. */
const countText = createSafeTokenCounter(countTokens, O200K_TOKEN_SPLIT_REGEX);

/**
 * Counts prompt tokens for a conversation with the o200k BPE (GPT-4o family), the same tokenizer the
 * ledger uses for estimates, so the router's cost forecast and the bill agree to within template noise.
 * Text such as "<|endoftext|>" in a message is counted as the text it is.
 */
export function countPromptTokens(messages: ReadonlyArray<ChatMessage>): number {
  return countChatPromptTokens(countText, messages);
}

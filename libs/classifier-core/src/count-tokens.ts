import { createSafeTokenCounter } from '@sophia/platform/tokens';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import type { ChatMessage } from './task-type.ts';

/** Tokens the chat template adds per message (role markers) and per request (assistant priming), as in OpenAI's cookbook. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REQUEST = 3;

/** o200k counts that never throw on special-token text and stay linear on pathological runs. */
const countText = createSafeTokenCounter(countTokens, O200K_TOKEN_SPLIT_REGEX);

/**
 * Counts prompt tokens for a conversation with the o200k BPE (GPT-4o family), the same tokenizer the
 * ledger uses for estimates, so the router's cost forecast and the bill agree to within template noise.
 * Text such as "<|endoftext|>" in a message is counted as the text it is.
 */
export function countPromptTokens(messages: ReadonlyArray<ChatMessage>): number {
  let total = TOKENS_PER_REQUEST;
  for (const message of messages) {
    total += TOKENS_PER_MESSAGE + countText(message.role) + countText(message.content);
  }
  return total;
}

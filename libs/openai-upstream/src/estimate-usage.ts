import { loadO200kCounter } from '@sophia/platform/tokens';
import type { ChatCompletionMessage } from './chat-completion-types.ts';
import type { UpstreamUsage } from './chat-completion-types.ts';

// OpenAI's chat format costs ≈3 tokens per message plus 3 to prime the reply
// (openai-cookbook "How to count tokens with tiktoken"); close enough for an estimate.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;

/**
 * Counts tokens locally when an upstream did not report usage, so billing never silently
 * records zero. The tokenizer (o200k, several MB) is loaded on first use only; counting never throws on
 * text such as "<|endoftext|>" and stays linear on pathological runs.
 */
export async function estimateUsage(messages: readonly ChatCompletionMessage[], completion: string, extraPrompt = ''): Promise<UpstreamUsage> {
  const countTokens = await loadO200kCounter();
  let promptTokens = TOKENS_PER_REPLY + (extraPrompt === '' ? 0 : countTokens(extraPrompt));
  for (const message of messages) {
    const content = typeof message.content === 'string' ? message.content : (message.content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');
    const calls = (message.tool_calls ?? []).map((c) => c.function.name + c.function.arguments).join('');
    promptTokens += TOKENS_PER_MESSAGE + countTokens(content + calls) + (message.name ? countTokens(message.name) + 1 : 0);
  }
  const completionTokens = completion === '' ? 0 : countTokens(completion);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

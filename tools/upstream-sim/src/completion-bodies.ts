import type { CompletionText } from './completion-text.ts';

/**
 * OpenAI response objects (chat.completion and chat.completion.chunk), built in one place so the JSON
 * and streaming paths report identical ids, models and usage.
 */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Usage for `completionTokens` tokens emitted after a prompt of `promptTokens`. */
export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** A non-streaming `chat.completion`. */
export function completionBody(identity: CompletionIdentity, completion: CompletionText, promptTokens: number): object {
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: completion.text, refusal: null },
        logprobs: null,
        finish_reason: completion.finishReason,
      },
    ],
    usage: usageOf(promptTokens, completion.pieces.length),
  };
}

/** A `chat.completion.chunk` with one choice; `usage: null` is included when usage will follow. */
export function chunkBody(
  identity: CompletionIdentity,
  delta: { role?: 'assistant'; content?: string },
  finishReason: string | null,
  includeUsage: boolean,
): object {
  return {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  };
}

/** The final usage chunk sent when `stream_options.include_usage` is true. */
export function usageChunkBody(identity: CompletionIdentity, usage: Usage): object {
  return {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [],
    usage,
  };
}

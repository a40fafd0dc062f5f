import type { SimOutput } from './sim-output.ts';

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
  /** Present when the request was told to report a prompt-cache hit, as OpenAI-compatible providers do. */
  prompt_tokens_details?: { cached_tokens: number };
}

/** Usage for `completionTokens` tokens emitted after a prompt of `promptTokens`, `cachedTokens` of it from the prompt cache. */
export function usageOf(promptTokens: number, completionTokens: number, cachedTokens?: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    ...(cachedTokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: cachedTokens } }),
  };
}

/** A non-streaming `chat.completion` with every choice. */
export function completionBody(identity: CompletionIdentity, output: SimOutput, promptTokens: number, cachedTokens?: number): object {
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: output.choices.map((c) => ({ index: c.index, message: c.message, logprobs: c.logprobs, finish_reason: c.finishReason })),
    usage: usageOf(promptTokens, output.completionTokens, cachedTokens),
  };
}

/** A `chat.completion.chunk` with one choice; `usage: null` is included when usage will follow. */
export function chunkBody(
  identity: CompletionIdentity,
  delta: Record<string, unknown>,
  finishReason: string | null,
  includeUsage: boolean,
  choice: { index: number; logprobs: object | null } = { index: 0, logprobs: null },
): object {
  return {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [{ index: choice.index, delta, logprobs: choice.logprobs, finish_reason: finishReason }],
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

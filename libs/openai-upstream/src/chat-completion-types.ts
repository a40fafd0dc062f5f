import type { ChoiceDelta } from '@sophia/contracts/common';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ChoiceDeltaSchema } from '@sophia/contracts/common';

/** One OpenAI content part. */
export type ChatCompletionContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: string } };

/** A tool call of an assistant message, in the OpenAI wire format. */
export interface ChatCompletionToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A chat message in the OpenAI wire format. */
export interface ChatCompletionMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | 'developer';
  /** Null only for an assistant message that just calls tools. */
  content: string | ChatCompletionContentPart[] | null;
  name?: string;
  tool_calls?: ChatCompletionToolCall[];
  tool_call_id?: string;
}

/** A function tool in the OpenAI wire format. */
export interface ChatCompletionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: unknown; strict?: boolean };
}

/**
 * The request fields we send to `/chat/completions`. `stream` and `stream_options` are always
 * set by the client and cannot be overridden.
 */
export interface ChatCompletionBody {
  model: string;
  messages: ChatCompletionMessage[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  seed?: number;
  user?: string;
  frequency_penalty?: number;
  presence_penalty?: number;
  logit_bias?: Record<string, number>;
  logprobs?: boolean;
  top_logprobs?: number;
  n?: number;
  reasoning_effort?: string;
  response_format?: { type: 'json_object' } | { type: 'json_schema'; json_schema: { name: string; schema?: unknown; strict?: boolean; description?: string } };
  tools?: ChatCompletionTool[];
  tool_choice?: 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };
  parallel_tool_calls?: boolean;
}

/** Token counts for one completion. */
export interface UpstreamUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Of promptTokens, those served from the provider's prompt cache (`prompt_tokens_details.cached_tokens`); absent when not reported. */
  cachedPromptTokens?: number;
}

/** A choice delta as the relay sends it on (the proto init shape). */
export type UpstreamChoiceDelta = MessageInitShape<typeof ChoiceDeltaSchema>;
export type { ChoiceDelta };

/**
 * What a stream yields: deltas, then exactly one `done`. Anything else (cut stream, malformed
 * chunk, timeout, HTTP error) is thrown as a ConnectError instead.
 */
export type UpstreamEvent =
  | { type: 'delta'; text: string }
  /** Output plain text of choice 0 cannot carry: another choice, tool-call pieces, logprobs, a choice's finish. */
  | { type: 'choice'; choice: UpstreamChoiceDelta }
  | {
      type: 'done';
      usage: UpstreamUsage;
      /** True when the upstream sent no usage and the counts were computed locally. */
      usageEstimated: boolean;
      /** OpenAI finish reason ("stop", "length", …), or "unknown" when the upstream sent none. */
      finishReason: string;
      /** Model id as the upstream reported it (falls back to the requested id). */
      upstreamModel: string;
    };

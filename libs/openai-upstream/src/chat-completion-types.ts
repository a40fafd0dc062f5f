/** A chat message in the OpenAI wire format. */
export interface ChatCompletionMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | 'developer';
  content: string;
  name?: string;
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
}

/** Token counts for one completion. */
export interface UpstreamUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/**
 * What a stream yields: deltas, then exactly one `done`. Anything else (cut stream, malformed
 * chunk, timeout, HTTP error) is thrown as a ConnectError instead.
 */
export type UpstreamEvent =
  | { type: 'delta'; text: string }
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

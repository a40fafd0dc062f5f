import type { UpstreamChoiceDelta, UpstreamUsage } from './chat-completion-types.ts';

/** What one `chat.completion.chunk` contributes to the stream. */
export interface ChatChunk {
  /** Generated plain text of choice 0 (may be empty: role-only or usage-only chunks). */
  text: string;
  /** What plain text cannot carry: other choices, tool-call pieces, logprobs, refusals, other choices' finish. */
  choices: UpstreamChoiceDelta[];
  /** Set on the chunk that ends choice 0. */
  finishReason?: string;
  model?: string;
  usage?: UpstreamUsage;
  /** An in-band error object (some providers report failures mid-stream this way). */
  error?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Parses the JSON of one SSE `data:` line of a chat-completions stream, by hand (this runs per
 * token, so no schema library). Throws a TypeError naming the offending field when the chunk
 * is not JSON or not shaped like a chunk; the caller turns that into a malformed-stream error.
 */
export function parseChatChunk(data: string): ChatChunk {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new TypeError(`chunk is not valid JSON: ${JSON.stringify(data.slice(0, 80))}`);
  }
  if (!isRecord(json)) throw new TypeError('chunk is not a JSON object');
  const chunk: ChatChunk = { text: '', choices: [] };
  if (json.error !== undefined && json.error !== null) {
    const e = json.error;
    chunk.error = typeof e === 'string' ? e : isRecord(e) && typeof e.message === 'string' ? e.message : 'unknown error';
    return chunk;
  }
  if (typeof json.model === 'string' && json.model !== '') chunk.model = json.model;
  if (json.usage !== undefined && json.usage !== null) {
    if (!isRecord(json.usage)) throw new TypeError('chunk.usage is not an object');
    const prompt = tokenCount(json.usage.prompt_tokens);
    const completion = tokenCount(json.usage.completion_tokens);
    if (prompt === undefined || completion === undefined) {
      throw new TypeError('chunk.usage.prompt_tokens/completion_tokens are not non-negative integers');
    }
    chunk.usage = { promptTokens: prompt, completionTokens: completion, totalTokens: tokenCount(json.usage.total_tokens) ?? prompt + completion };
    // The prompt-cache hit count (OpenAI `prompt_tokens_details.cached_tokens`, as Together, Fireworks,
    // DeepInfra and OpenRouter report it). Optional: a provider that does not report it caches nothing we know of.
    const details = json.usage.prompt_tokens_details;
    if (details !== undefined && details !== null) {
      const cached = isRecord(details) ? tokenCount(details.cached_tokens ?? 0) : undefined;
      if (cached === undefined || cached > prompt) throw new TypeError('chunk.usage.prompt_tokens_details.cached_tokens is not an integer in [0, prompt_tokens]');
      if (cached > 0) chunk.usage.cachedPromptTokens = cached;
    }
  }
  const choices = json.choices;
  if (choices === undefined || choices === null) return chunk;
  if (!Array.isArray(choices)) throw new TypeError('chunk.choices is not an array');
  for (const [i, choice] of choices.entries()) {
    if (!isRecord(choice)) throw new TypeError(`chunk.choices[${i}] is not an object`);
    const index = choice.index ?? 0;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) throw new TypeError(`chunk.choices[${i}].index is not a non-negative integer`);
    const at = `chunk.choices[${i}]`;
    const delta = choice.delta;
    let content = '';
    let refusal = '';
    let toolCalls: UpstreamChoiceDelta['toolCalls'] = [];
    if (delta !== undefined && delta !== null) {
      if (!isRecord(delta)) throw new TypeError(`${at}.delta is not an object`);
      if (typeof delta.content === 'string') content = delta.content;
      else if (delta.content !== undefined && delta.content !== null) throw new TypeError(`${at}.delta.content is not a string`);
      if (typeof delta.refusal === 'string') refusal = delta.refusal;
      if (delta.tool_calls !== undefined && delta.tool_calls !== null) toolCalls = parseToolCallDeltas(delta.tool_calls, `${at}.delta.tool_calls`);
    }
    const logprobs = parseLogprobs(choice.logprobs, `${at}.logprobs`);
    const finish = typeof choice.finish_reason === 'string' && choice.finish_reason !== '' ? choice.finish_reason : undefined;
    if (index === 0 && finish !== undefined) chunk.finishReason = finish;
    if (index === 0 && refusal === '' && toolCalls.length === 0 && logprobs.length === 0) {
      chunk.text += content;
      continue;
    }
    if (content === '' && refusal === '' && toolCalls.length === 0 && logprobs.length === 0 && (index === 0 || finish === undefined)) continue;
    chunk.choices.push({ index, content, refusal, toolCalls, logprobs, finishReason: index === 0 ? '' : (finish ?? '') });
  }
  return chunk;
}

function str(value: unknown, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new TypeError(`${what} is not a string`);
  return value;
}

function bytesOf(value: unknown, what: string): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array();
  if (!Array.isArray(value) || value.some((b) => typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255)) throw new TypeError(`${what} is not an array of bytes`);
  return Uint8Array.from(value as number[]);
}

/** `delta.tool_calls`: pieces of calls, each naming its call by `index`. */
function parseToolCallDeltas(value: unknown, what: string): NonNullable<UpstreamChoiceDelta['toolCalls']> {
  if (!Array.isArray(value)) throw new TypeError(`${what} is not an array`);
  return value.map((raw: unknown, j) => {
    if (!isRecord(raw)) throw new TypeError(`${what}[${j}] is not an object`);
    const index = raw.index ?? j;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) throw new TypeError(`${what}[${j}].index is not a non-negative integer`);
    const fn = raw.function;
    if (fn !== undefined && fn !== null && !isRecord(fn)) throw new TypeError(`${what}[${j}].function is not an object`);
    return { index, id: str(raw.id, `${what}[${j}].id`), name: str(fn?.name, `${what}[${j}].function.name`), arguments: str(fn?.arguments, `${what}[${j}].function.arguments`) };
  });
}

/** `choice.logprobs.content`: per-token log probabilities (null or absent when not asked for). */
function parseLogprobs(value: unknown, what: string): NonNullable<UpstreamChoiceDelta['logprobs']> {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) throw new TypeError(`${what} is not an object`);
  const content = value.content;
  if (content === undefined || content === null) return [];
  if (!Array.isArray(content)) throw new TypeError(`${what}.content is not an array`);
  const one = (raw: unknown, at: string) => {
    if (!isRecord(raw) || typeof raw.logprob !== 'number') throw new TypeError(`${at} is not a {token, logprob} object`);
    return { token: str(raw.token, `${at}.token`), logprob: raw.logprob, bytes: bytesOf(raw.bytes, `${at}.bytes`) };
  };
  return content.map((raw: unknown, k) => {
    const at = `${what}.content[${k}]`;
    const top = isRecord(raw) && Array.isArray(raw.top_logprobs) ? raw.top_logprobs : [];
    return { ...one(raw, at), topLogprobs: top.map((t: unknown, m: number) => one(t, `${at}.top_logprobs[${m}]`)) };
  });
}

/** What one `chat.completion.chunk` contributes to the stream. */
export interface ChatChunk {
  /** Generated text of choice 0 (may be empty: role-only or usage-only chunks). */
  text: string;
  /** Set on the chunk that ends choice 0. */
  finishReason?: string;
  model?: string;
  usage?: { promptTokens: number; completionTokens: number; totalTokens: number };
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
  const chunk: ChatChunk = { text: '' };
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
  }
  const choices = json.choices;
  if (choices === undefined || choices === null) return chunk;
  if (!Array.isArray(choices)) throw new TypeError('chunk.choices is not an array');
  for (const [i, choice] of choices.entries()) {
    if (!isRecord(choice)) throw new TypeError(`chunk.choices[${i}] is not an object`);
    if ((choice.index ?? 0) !== 0) continue; // we always ask for n = 1
    const delta = choice.delta;
    if (delta !== undefined && delta !== null) {
      if (!isRecord(delta)) throw new TypeError(`chunk.choices[${i}].delta is not an object`);
      if (typeof delta.content === 'string') chunk.text += delta.content;
      else if (delta.content !== undefined && delta.content !== null) throw new TypeError(`chunk.choices[${i}].delta.content is not a string`);
    }
    if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') chunk.finishReason = choice.finish_reason;
  }
  return chunk;
}

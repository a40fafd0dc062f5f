import type { PromptMessage } from './token-counter.ts';

/**
 * Validation of an OpenAI chat-completions body. Clients of the mesh must handle a provider's 400s,
 * so the simulator rejects what OpenAI rejects and names the offending field in `param`.
 */

/** The parts of a chat-completions request the simulator acts on. */
export interface ChatRequest {
  model: string;
  messages: PromptMessage[];
  maxTokens?: number;
  temperature?: number;
  stream: boolean;
  includeUsage: boolean;
  stop: string[];
  seed?: number;
}

/** A rejected request: `param` is the OpenAI-style path of the bad field (null when the body itself is bad). */
export interface ChatRequestError {
  param: string | null;
  message: string;
}

export type ChatRequestResult = { ok: true; request: ChatRequest } | { ok: false; error: ChatRequestError };

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
const MAX_STOP_SEQUENCES = 4;

function fail(param: string | null, message: string): ChatRequestResult {
  return { ok: false, error: { param, message } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Flattens string or text-part content; returns an error message for anything else. */
function contentText(content: unknown, role: string): string | { error: string } {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) {
    return role === 'assistant' ? '' : { error: `is required for role "${role}"` };
  }
  if (!Array.isArray(content)) return { error: 'must be a string or an array of text parts' };
  let text = '';
  for (const [index, part] of content.entries()) {
    if (!isRecord(part) || part['type'] !== 'text' || typeof part['text'] !== 'string') {
      return { error: `part ${index} must be {"type":"text","text":string}; only text parts are supported` };
    }
    text += part['text'];
  }
  return text;
}

function parseMessages(value: unknown): PromptMessage[] | ChatRequestError {
  if (value === undefined) return { param: 'messages', message: "Missing required parameter: 'messages'." };
  if (!Array.isArray(value) || value.length === 0) {
    return { param: 'messages', message: "'messages' must be a non-empty array." };
  }
  const messages: PromptMessage[] = [];
  for (const [index, raw] of value.entries()) {
    const at = `messages[${index}]`;
    if (!isRecord(raw)) return { param: at, message: `'${at}' must be an object.` };
    const role = raw['role'];
    if (typeof role !== 'string' || !ROLES.has(role)) {
      return { param: `${at}.role`, message: `'${at}.role' must be one of ${[...ROLES].join(', ')}.` };
    }
    const content = contentText(raw['content'], role);
    if (typeof content !== 'string') return { param: `${at}.content`, message: `'${at}.content' ${content.error}.` };
    const name = raw['name'];
    if (name !== undefined && typeof name !== 'string') {
      return { param: `${at}.name`, message: `'${at}.name' must be a string.` };
    }
    messages.push(name === undefined ? { role, content } : { role, content, name });
  }
  return messages;
}

function optionalInteger(body: Record<string, unknown>, field: string, min: number): number | undefined | ChatRequestError {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    return { param: field, message: `'${field}' must be an integer >= ${min}, got ${JSON.stringify(value)}.` };
  }
  return value;
}

function isError(value: unknown): value is ChatRequestError {
  return isRecord(value) && 'message' in value && 'param' in value;
}

function parseStop(value: unknown): string[] | ChatRequestError {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length > MAX_STOP_SEQUENCES ||
    list.some((item) => typeof item !== 'string' || item === '')
  ) {
    return { param: 'stop', message: `'stop' must be a non-empty string or an array of up to ${MAX_STOP_SEQUENCES} non-empty strings.` };
  }
  return list as string[];
}

/** Validates a parsed JSON body. */
export function parseChatRequest(body: unknown): ChatRequestResult {
  if (!isRecord(body)) return fail(null, 'The request body must be a JSON object.');
  const model = body['model'];
  if (model === undefined) return fail('model', "Missing required parameter: 'model'.");
  if (typeof model !== 'string' || model.trim() === '') return fail('model', "'model' must be a non-empty string.");
  const messages = parseMessages(body['messages']);
  if (isError(messages)) return { ok: false, error: messages };

  const maxCompletionTokens = optionalInteger(body, 'max_completion_tokens', 1);
  if (isError(maxCompletionTokens)) return { ok: false, error: maxCompletionTokens };
  const maxTokens = optionalInteger(body, 'max_tokens', 1);
  if (isError(maxTokens)) return { ok: false, error: maxTokens };
  const seed = optionalInteger(body, 'seed', Number.MIN_SAFE_INTEGER);
  if (isError(seed)) return { ok: false, error: seed };
  const n = optionalInteger(body, 'n', 1);
  if (isError(n)) return { ok: false, error: n };
  if (n !== undefined && n !== 1) return fail('n', "'n' must be 1; the simulator generates a single choice.");

  const temperature = body['temperature'];
  if (temperature !== undefined && temperature !== null && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    return fail('temperature', `'temperature' must be a number between 0 and 2, got ${JSON.stringify(temperature)}.`);
  }
  const stream = body['stream'];
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') {
    return fail('stream', `'stream' must be a boolean, got ${JSON.stringify(stream)}.`);
  }
  const streamOptions = body['stream_options'];
  let includeUsage = false;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (stream !== true) return fail('stream_options', "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    if (!isRecord(streamOptions)) return fail('stream_options', "'stream_options' must be an object.");
    const flag = streamOptions['include_usage'];
    if (flag !== undefined && typeof flag !== 'boolean') {
      return fail('stream_options.include_usage', "'stream_options.include_usage' must be a boolean.");
    }
    includeUsage = flag === true;
  }
  const stop = parseStop(body['stop']);
  if (isError(stop)) return { ok: false, error: stop };

  const request: ChatRequest = { model, messages, stream: stream === true, includeUsage, stop };
  const limit = maxCompletionTokens ?? maxTokens;
  if (limit !== undefined) request.maxTokens = limit;
  if (typeof temperature === 'number') request.temperature = temperature;
  if (seed !== undefined) request.seed = seed;
  return { ok: true, request };
}

import type { PromptMessage } from './token-counter.ts';

/**
 * Validation of an OpenAI chat-completions body. Clients of the mesh must handle a provider's 400s,
 * so the simulator rejects what OpenAI rejects and names the offending field in `param`.
 */

/** A function tool the model may call (parameters: its JSON Schema). */
export interface SimTool {
  name: string;
  description: string;
  parameters: unknown;
}

/** `response_format`, reduced to what shapes the answer. */
export type SimResponseFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema: unknown };

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
  /** Choices to generate (OpenAI `n`). @default 1 */
  n?: number;
  tools?: SimTool[];
  /** "none" | "auto" | "required" | a function name to force. */
  toolChoice?: string;
  parallelToolCalls?: boolean;
  responseFormat?: SimResponseFormat;
  /** Alternatives per token when logprobs were asked for (0 = only the chosen token); undefined = no logprobs. */
  topLogprobs?: number;
  /** Images in the prompt (billed at a flat 85 tokens each, OpenAI's low-detail price). */
  images?: number;
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

/** Flattens string, text-part and image-part content to its text; returns an error message for anything else. */
function contentText(content: unknown, role: string): { text: string; images: number } | { error: string } {
  if (typeof content === 'string') return { text: content, images: 0 };
  if (content === null || content === undefined) {
    return role === 'assistant' ? { text: '', images: 0 } : { error: `is required for role "${role}"` };
  }
  if (!Array.isArray(content)) return { error: 'must be a string or an array of content parts' };
  let text = '';
  let images = 0;
  for (const [index, part] of content.entries()) {
    if (isRecord(part) && part['type'] === 'image_url' && role === 'user') {
      const image = part['image_url'];
      if (!isRecord(image) || typeof image['url'] !== 'string') return { error: `part ${index} must be {"type":"image_url","image_url":{"url":string}}` };
      images += 1;
      continue;
    }
    if (!isRecord(part) || part['type'] !== 'text' || typeof part['text'] !== 'string') {
      return { error: `part ${index} must be {"type":"text","text":string} or (user messages) {"type":"image_url",…}` };
    }
    text += part['text'];
  }
  return { text, images };
}

function parseMessages(value: unknown): { messages: PromptMessage[]; images: number } | ChatRequestError {
  if (value === undefined) return { param: 'messages', message: "Missing required parameter: 'messages'." };
  if (!Array.isArray(value) || value.length === 0) {
    return { param: 'messages', message: "'messages' must be a non-empty array." };
  }
  const messages: PromptMessage[] = [];
  let images = 0;
  for (const [index, raw] of value.entries()) {
    const at = `messages[${index}]`;
    if (!isRecord(raw)) return { param: at, message: `'${at}' must be an object.` };
    const role = raw['role'];
    if (typeof role !== 'string' || !ROLES.has(role)) {
      return { param: `${at}.role`, message: `'${at}.role' must be one of ${[...ROLES].join(', ')}.` };
    }
    const flat = contentText(raw['content'], role);
    if ('error' in flat) return { param: `${at}.content`, message: `'${at}.content' ${flat.error}.` };
    const content = flat.text;
    images += flat.images;
    const name = raw['name'];
    if (name !== undefined && typeof name !== 'string') {
      return { param: `${at}.name`, message: `'${at}.name' must be a string.` };
    }
    const calls = raw['tool_calls'];
    let callText = '';
    if (calls !== undefined && calls !== null) {
      if (role !== 'assistant' || !Array.isArray(calls)) return { param: `${at}.tool_calls`, message: `'${at}.tool_calls' must be an array on an assistant message.` };
      for (const [j, call] of calls.entries()) {
        const fn = isRecord(call) ? call['function'] : undefined;
        if (!isRecord(call) || typeof call['id'] !== 'string' || !isRecord(fn) || typeof fn['name'] !== 'string' || typeof fn['arguments'] !== 'string') {
          return { param: `${at}.tool_calls[${j}]`, message: `'${at}.tool_calls[${j}]' must be {"id", "type": "function", "function": {"name", "arguments"}}.` };
        }
        callText += `${fn['name']}${fn['arguments']}`;
      }
    }
    if (role === 'tool' && typeof raw['tool_call_id'] !== 'string') {
      return { param: `${at}.tool_call_id`, message: `'${at}.tool_call_id' is required for tool messages.` };
    }
    const text = content + callText;
    messages.push(name === undefined ? { role, content: text } : { role, content: text, name });
  }
  return { messages, images };
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
  const parsedMessages = parseMessages(body['messages']);
  if (isError(parsedMessages)) return { ok: false, error: parsedMessages };
  const { messages, images } = parsedMessages;

  const maxCompletionTokens = optionalInteger(body, 'max_completion_tokens', 1);
  if (isError(maxCompletionTokens)) return { ok: false, error: maxCompletionTokens };
  const maxTokens = optionalInteger(body, 'max_tokens', 1);
  if (isError(maxTokens)) return { ok: false, error: maxTokens };
  const seed = optionalInteger(body, 'seed', Number.MIN_SAFE_INTEGER);
  if (isError(seed)) return { ok: false, error: seed };
  const n = optionalInteger(body, 'n', 1);
  if (isError(n)) return { ok: false, error: n };
  if (n !== undefined && n > 128) return fail('n', "'n' must be at most 128.");
  const options = parseOptions(body);
  if (isError(options)) return { ok: false, error: options };

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

  const request: ChatRequest = { model, messages, stream: stream === true, includeUsage, stop, ...options };
  if (n !== undefined && n > 1) request.n = n;
  if (images > 0) request.images = images;
  const limit = maxCompletionTokens ?? maxTokens;
  if (limit !== undefined) request.maxTokens = limit;
  if (typeof temperature === 'number') request.temperature = temperature;
  if (seed !== undefined) request.seed = seed;
  return { ok: true, request };
}

function numberIn(body: Record<string, unknown>, field: string, min: number, max: number): ChatRequestError | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || v < min || v > max) return { param: field, message: `'${field}' must be a number between ${min} and ${max}, got ${JSON.stringify(v)}.` };
  return undefined;
}

/** Tools, tool_choice, response_format, logprobs and the sampling knobs the simulator accepts (and checks like OpenAI). */
function parseOptions(body: Record<string, unknown>): Partial<ChatRequest> | ChatRequestError {
  const out: Partial<ChatRequest> = {};
  for (const [field, min, max] of [['frequency_penalty', -2, 2], ['presence_penalty', -2, 2], ['top_p', 0, 1]] as const) {
    const bad = numberIn(body, field, min, max);
    if (bad) return bad;
  }
  const bias = body['logit_bias'];
  if (bias !== undefined && bias !== null && (!isRecord(bias) || Object.values(bias).some((b) => typeof b !== 'number' || b < -100 || b > 100))) {
    return { param: 'logit_bias', message: "'logit_bias' must map token ids to numbers between -100 and 100." };
  }
  const effort = body['reasoning_effort'];
  if (effort !== undefined && effort !== null && !['none', 'minimal', 'low', 'medium', 'high'].includes(effort as string)) {
    return { param: 'reasoning_effort', message: "'reasoning_effort' must be one of none, minimal, low, medium, high." };
  }
  const rawTools = body['tools'];
  if (rawTools !== undefined && rawTools !== null) {
    if (!Array.isArray(rawTools)) return { param: 'tools', message: "'tools' must be an array." };
    const tools: SimTool[] = [];
    for (const [i, t] of rawTools.entries()) {
      const fn = isRecord(t) ? t['function'] : undefined;
      if (!isRecord(t) || t['type'] !== 'function' || !isRecord(fn) || typeof fn['name'] !== 'string') {
        return { param: `tools[${i}]`, message: `'tools[${i}]' must be {"type": "function", "function": {"name", …}}.` };
      }
      tools.push({ name: fn['name'], description: typeof fn['description'] === 'string' ? fn['description'] : '', parameters: fn['parameters'] ?? { type: 'object', properties: {} } });
    }
    if (tools.length > 0) out.tools = tools;
  }
  const choice = body['tool_choice'];
  if (choice !== undefined && choice !== null) {
    const forced = isRecord(choice) && isRecord(choice['function']) ? choice['function']['name'] : undefined;
    const value = typeof choice === 'string' ? choice : forced;
    if (typeof value !== 'string' || (typeof choice === 'string' && !['none', 'auto', 'required'].includes(choice))) {
      return { param: 'tool_choice', message: "'tool_choice' must be none, auto, required or {\"type\":\"function\",\"function\":{\"name\":…}}." };
    }
    if (value !== 'none' && !out.tools?.some((t) => t.name === value) && !['auto', 'required'].includes(value)) {
      return { param: 'tool_choice', message: `'tool_choice' names function '${value}', which is not in 'tools'.` };
    }
    out.toolChoice = value;
  }
  if (typeof body['parallel_tool_calls'] === 'boolean') out.parallelToolCalls = body['parallel_tool_calls'];
  const rf = body['response_format'];
  if (rf !== undefined && rf !== null) {
    const type = isRecord(rf) ? rf['type'] : undefined;
    const js = isRecord(rf) ? rf['json_schema'] : undefined;
    if (type === 'text' || type === 'json_object') out.responseFormat = { type };
    else if (type === 'json_schema' && isRecord(js) && typeof js['name'] === 'string') out.responseFormat = { type, name: js['name'], schema: js['schema'] ?? {} };
    else return { param: 'response_format', message: "'response_format' must be {type: text | json_object | json_schema (with json_schema.name)}." };
  }
  const logprobs = body['logprobs'];
  const top = body['top_logprobs'];
  if (top !== undefined && top !== null) {
    if (typeof top !== 'number' || !Number.isInteger(top) || top < 0 || top > 20) return { param: 'top_logprobs', message: "'top_logprobs' must be an integer between 0 and 20." };
    if (logprobs !== true) return { param: 'top_logprobs', message: "'top_logprobs' requires 'logprobs' to be true." };
  }
  if (logprobs === true) out.topLogprobs = typeof top === 'number' ? top : 0;
  return out;
}

import type { ServerResponse } from 'node:http';
import { invalidRequest, sendJson, sendOpenAiError } from './openai-error.ts';
import { createSeededRandom, hashString } from './seeded-random.ts';
import { countTextTokens } from './token-counter.ts';

/** Vector length when the request names no `dimensions` (bge-large / e5-large size). */
export const DEFAULT_EMBEDDING_DIMENSIONS = 1024;
const MAX_INPUTS = 2048;

/** A unit vector that depends only on (model, text, dimensions): equal texts embed equally. */
export function simulatedEmbedding(model: string, text: string, dimensions: number): number[] {
  const random = createSeededRandom(hashString(`${model}\u0000${text}`));
  const v = Array.from({ length: dimensions }, () => random() * 2 - 1);
  const norm = Math.sqrt(v.reduce((n, x) => n + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

/**
 * `POST /v1/embeddings` as OpenAI answers it: `input` a string or an array of strings, `dimensions`
 * optional, `encoding_format` "float" (default) or "base64" (little-endian float32), usage with
 * prompt tokens only. Bad fields are 400s naming them; unknown models 404 when a list is configured.
 */
export function handleEmbeddings(res: ServerResponse, body: string, models: readonly string[] | undefined): void {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return sendOpenAiError(res, 400, invalidRequest('We could not parse the JSON body of your request.', null, 'invalid_json'));
  }
  const b = (typeof json === 'object' && json !== null && !Array.isArray(json) ? json : {}) as Record<string, unknown>;
  const model = b['model'];
  if (typeof model !== 'string' || model === '') return sendOpenAiError(res, 400, invalidRequest("'model' must be a non-empty string.", 'model'));
  if (models && !models.includes(model)) return sendOpenAiError(res, 404, invalidRequest(`The model '${model}' does not exist or you do not have access to it.`, 'model', 'model_not_found'));
  const raw = b['input'];
  const input = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_INPUTS || input.some((t) => typeof t !== 'string' || t === '')) {
    return sendOpenAiError(res, 400, invalidRequest(`'input' must be a non-empty string or an array of 1 to ${MAX_INPUTS} non-empty strings.`, 'input'));
  }
  const dims = b['dimensions'];
  if (dims !== undefined && (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > DEFAULT_EMBEDDING_DIMENSIONS)) {
    return sendOpenAiError(res, 400, invalidRequest(`'dimensions' must be an integer between 1 and ${DEFAULT_EMBEDDING_DIMENSIONS}.`, 'dimensions'));
  }
  const format = b['encoding_format'] ?? 'float';
  if (format !== 'float' && format !== 'base64') return sendOpenAiError(res, 400, invalidRequest("'encoding_format' must be float or base64.", 'encoding_format'));
  const size = typeof dims === 'number' ? dims : DEFAULT_EMBEDDING_DIMENSIONS;
  const texts = input as string[];
  const data = texts.map((text, index) => {
    const vector = simulatedEmbedding(model, text, size);
    const embedding = format === 'base64' ? Buffer.from(Float32Array.from(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = texts.reduce((n, t) => n + countTextTokens(t), 0);
  sendJson(res, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

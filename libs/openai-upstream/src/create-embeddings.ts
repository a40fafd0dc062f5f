import { Code } from '@connectrpc/connect';
import type { Dispatcher } from 'undici';
import { apiUrl } from './api-url.ts';
import { describeEndpoint, mapHttpStatus } from './map-upstream-error.ts';
import { readBodyText } from './read-body-text.ts';
import { createUpstreamCall, type UpstreamTimeouts } from './upstream-call.ts';
import { getUpstreamDispatcher } from './upstream-dispatcher.ts';
import { upstreamError, UpstreamFailureKind } from './upstream-error.ts';
import type { UpstreamUsage } from './chat-completion-types.ts';

/** One `POST /embeddings` call. */
export interface CreateEmbeddingsOptions {
  /** API root, e.g. `https://api.deepinfra.com/v1/openai`. */
  baseUrl: string;
  apiKey?: string;
  /** The upstream's model name. */
  model: string;
  input: readonly string[];
  dimensions?: number;
  user?: string;
  timeouts?: UpstreamTimeouts;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  headers?: Record<string, string>;
  /** Largest answer kept. @default 64 MiB (2,048 vectors of 3,072 floats as JSON fit) */
  maxBytes?: number;
}

/** Vectors in input order, with the upstream's token count. */
export interface EmbeddingsResult {
  vectors: number[][];
  usage: UpstreamUsage;
  upstreamModel: string;
}

/**
 * Asks an OpenAI-compatible upstream for embedding vectors (always `encoding_format: "float"`; the
 * gateway re-encodes for its caller). Failures map through the same table as chat (HTTP status,
 * transport, timeout), and an answer that is not one vector per input is a malformed-upstream
 * error, never a short list.
 */
export async function createEmbeddings(options: CreateEmbeddingsOptions): Promise<EmbeddingsResult> {
  const url = apiUrl(options.baseUrl, 'embeddings');
  const endpoint = describeEndpoint(url);
  const dispatcher = options.dispatcher ?? getUpstreamDispatcher(url, { connectTimeoutMs: options.timeouts?.connectMs ?? 2000 });
  const call = createUpstreamCall(endpoint, options.timeouts, options.signal);
  const bad = (what: string) => upstreamError(Code.Unavailable, UpstreamFailureKind.MalformedStream, `upstream ${endpoint}: malformed embeddings answer: ${what}`);
  try {
    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers: { ...options.headers, 'content-type': 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
        body: JSON.stringify({
          model: options.model,
          input: options.input,
          encoding_format: 'float',
          ...(options.dimensions !== undefined ? { dimensions: options.dimensions } : {}),
          ...(options.user ? { user: options.user } : {}),
        }),
        signal: call.signal,
      });
    } catch (err) {
      throw call.failure(err, 'connect');
    }
    let text: string;
    try {
      text = await readBodyText(response.body, options.maxBytes ?? 64 * 1024 * 1024);
    } catch (err) {
      throw call.failure(err, 'stream');
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw mapHttpStatus(response.statusCode, response.headers, text, endpoint, { ...(options.apiKey ? { apiKey: options.apiKey } : {}), model: options.model });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw bad('not JSON');
    }
    const body = json as { data?: unknown; usage?: { prompt_tokens?: unknown; total_tokens?: unknown }; model?: unknown };
    if (!Array.isArray(body.data) || body.data.length !== options.input.length) throw bad(`expected ${options.input.length} vectors`);
    const vectors: number[][] = new Array<number[]>(options.input.length);
    for (const [i, entry] of (body.data as unknown[]).entries()) {
      const e = entry as { index?: unknown; embedding?: unknown } | null;
      const index = typeof e?.index === 'number' ? e.index : i;
      if (!Number.isInteger(index) || index < 0 || index >= vectors.length || vectors[index] !== undefined) throw bad(`data[${i}].index is out of range or repeated`);
      if (!Array.isArray(e?.embedding) || e.embedding.some((x) => typeof x !== 'number')) throw bad(`data[${i}].embedding is not an array of numbers`);
      vectors[index] = e.embedding as number[];
    }
    const prompt = body.usage?.prompt_tokens;
    const promptTokens = typeof prompt === 'number' && Number.isInteger(prompt) && prompt >= 0 ? prompt : undefined;
    if (promptTokens === undefined) throw bad('usage.prompt_tokens is missing');
    return { vectors, usage: { promptTokens, completionTokens: 0, totalTokens: promptTokens }, upstreamModel: typeof body.model === 'string' ? body.model : options.model };
  } finally {
    call.dispose();
  }
}

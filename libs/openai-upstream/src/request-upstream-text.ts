import type { Dispatcher } from 'undici';
import { describeEndpoint, mapHttpStatus } from './map-upstream-error.ts';
import { readBodyText } from './read-body-text.ts';
import { createUpstreamCall } from './upstream-call.ts';
import { getUpstreamDispatcher } from './upstream-dispatcher.ts';

/** A small GET against an upstream (`/v1/models`, `/health`, `/metrics`). */
export interface RequestUpstreamTextOptions {
  url: URL;
  apiKey?: string;
  /** Whole-request timeout. @default 5000 */
  timeoutMs?: number;
  /** @default 2000 */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  /** Largest body kept. @default 4 MiB */
  maxBytes?: number;
}

/**
 * GETs a URL over the shared keep-alive pool and returns the body text of a 2xx answer; any
 * other outcome is thrown as a ConnectError from the same mapping the streaming path uses, so
 * health checks and model listings fail with the same codes and messages as generation.
 */
export async function requestUpstreamText(options: RequestUpstreamTextOptions): Promise<string> {
  const endpoint = describeEndpoint(options.url);
  const dispatcher = options.dispatcher ?? getUpstreamDispatcher(options.url, { connectTimeoutMs: options.connectTimeoutMs ?? 2000 });
  const call = createUpstreamCall(endpoint, { totalMs: options.timeoutMs ?? 5000 }, options.signal);
  try {
    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({
        origin: options.url.origin,
        path: options.url.pathname + options.url.search,
        method: 'GET',
        headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
        signal: call.signal,
      });
    } catch (err) {
      throw call.failure(err, 'connect');
    }
    let text: string;
    try {
      text = await readBodyText(response.body, options.maxBytes ?? 4 * 1024 * 1024);
    } catch (err) {
      throw call.failure(err, 'stream');
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw mapHttpStatus(response.statusCode, response.headers, text, endpoint, options.apiKey ? { apiKey: options.apiKey } : {});
    }
    return text;
  } finally {
    call.dispose();
  }
}

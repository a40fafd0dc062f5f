import { Code, type ConnectError } from '@connectrpc/connect';
import { createParser, type ParseError } from 'eventsource-parser';
import type { Dispatcher } from 'undici';
import { apiUrl } from './api-url.ts';
import type { ChatCompletionBody, UpstreamChoiceDelta, UpstreamEvent, UpstreamUsage } from './chat-completion-types.ts';
import { estimateUsage } from './estimate-usage.ts';
import { describeEndpoint, mapHttpStatus } from './map-upstream-error.ts';
import { parseChatChunk } from './parse-chat-chunk.ts';
import { createUpstreamCall, type UpstreamTimeouts } from './upstream-call.ts';
import { getUpstreamDispatcher } from './upstream-dispatcher.ts';
import { upstreamError, UpstreamFailureKind } from './upstream-error.ts';
import { discardBody, readBodyText } from './read-body-text.ts';

/** One streaming chat-completions call. */
export interface StreamChatCompletionOptions {
  /** API root, e.g. `https://api.together.xyz/v1`; a bare origin means `<origin>/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; never appears in errors or logs. */
  apiKey?: string;
  body: ChatCompletionBody;
  timeouts?: UpstreamTimeouts;
  /** Caller cancellation / deadline: aborts the HTTP request and destroys its socket. */
  signal?: AbortSignal;
  /** Defaults to the shared keep-alive pool for the base URL's origin. */
  dispatcher?: Dispatcher;
  /** Extra request headers (e.g. `x-request-id`). */
  headers?: Record<string, string>;
  /**
   * Called once when the upstream starts an event stream (2xx, `text/event-stream`), before any
   * token: a sign the provider is alive and working on the request, not silent.
   */
  onResponse?: () => void;
}

const MAX_SSE_BUFFER = 4 * 1024 * 1024;

/** Prompt text besides the messages that the upstream bills: tool definitions and the JSON schema. */
function promptExtras(body: ChatCompletionBody): string {
  const tools = body.tools ? JSON.stringify(body.tools) : '';
  const format = body.response_format?.type === 'json_schema' ? JSON.stringify(body.response_format.json_schema) : '';
  return tools + format;
}
// How long a response may stay open after `[DONE]` before we hang up (and still succeed).
const POST_DONE_GRACE_MS = 1000;

/**
 * Streams one chat completion from an OpenAI-compatible upstream: `delta` events as tokens
 * arrive, then exactly one `done` with usage (exact when the upstream reports it, estimated
 * and flagged otherwise). Every failure — HTTP error, wrong content type, malformed chunk,
 * stream cut before `[DONE]`, timeout, caller abort — is thrown as a ConnectError from the
 * upstream-error module; a truncated stream never looks like success. Breaking out of the
 * iteration, or aborting `signal`, destroys the response body and clears every timer.
 */
export async function* streamChatCompletion(options: StreamChatCompletionOptions): AsyncGenerator<UpstreamEvent, void, undefined> {
  const url = apiUrl(options.baseUrl, 'chat/completions');
  const endpoint = describeEndpoint(url);
  const dispatcher = options.dispatcher ?? getUpstreamDispatcher(url, { connectTimeoutMs: options.timeouts?.connectMs ?? 2000 });
  const call = createUpstreamCall(endpoint, options.timeouts, options.signal);
  let body: Dispatcher.ResponseData['body'] | undefined;
  let clean = false;
  try {
    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers: {
          ...options.headers,
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify({ ...options.body, stream: true, stream_options: { include_usage: true } }),
        signal: call.signal,
      });
    } catch (err) {
      throw call.failure(err, 'connect');
    }
    body = response.body;
    // Errors surface through iteration; this only keeps a late "aborted" event from going unhandled.
    body.on('error', () => undefined);
    if (response.statusCode < 200 || response.statusCode >= 300) {
      let text: string;
      try {
        text = await readBodyText(body, 16 * 1024);
      } catch (err) {
        throw call.failure(err, 'stream');
      }
      throw mapHttpStatus(response.statusCode, response.headers, text, endpoint, {
        ...(options.apiKey ? { apiKey: options.apiKey } : {}),
        model: options.body.model,
      });
    }
    const contentType = String(response.headers['content-type'] ?? '');
    if (!contentType.toLowerCase().startsWith('text/event-stream')) {
      throw upstreamError(
        Code.Unavailable,
        UpstreamFailureKind.BadContentType,
        `upstream ${endpoint}: expected text/event-stream, got "${contentType || 'no content type'}"`,
      );
    }
    options.onResponse?.();

    const pending: string[] = [];
    let parseError: ParseError | undefined;
    const parser = createParser({
      maxBufferSize: MAX_SSE_BUFFER,
      onEvent: (event) => pending.push(event.data),
      onError: (error) => {
        // Unknown fields are to be ignored per the SSE spec; anything else breaks the stream.
        if (error.type !== 'unknown-field') parseError ??= error;
      },
    });
    const decoder = new TextDecoder();
    const parts: string[] = [];
    let sawDone = false;
    let finishReason: string | undefined;
    let upstreamModel: string | undefined;
    let usage: UpstreamUsage | undefined;

    const malformed = (what: string, cause?: unknown) =>
      upstreamError(Code.Unavailable, UpstreamFailureKind.MalformedStream, `upstream ${endpoint}: malformed stream: ${what}`, { cause });

    // Handles the events parsed so far: the texts and choice deltas to emit, and the error (if any) that follows them.
    const drain = (): { texts: string[]; choices: UpstreamChoiceDelta[]; error?: ConnectError } => {
      const texts: string[] = [];
      const choices: UpstreamChoiceDelta[] = [];
      if (parseError) return { texts, choices, error: malformed(parseError.message, parseError) };
      for (const data of pending.splice(0)) {
        if (sawDone) continue; // nothing after [DONE] counts
        if (data.trim() === '[DONE]') {
          sawDone = true;
          continue;
        }
        let chunk;
        try {
          chunk = parseChatChunk(data);
        } catch (err) {
          return { texts, choices, error: malformed((err as Error).message, err) };
        }
        if (chunk.error !== undefined) {
          const error = upstreamError(Code.Unavailable, UpstreamFailureKind.StreamError, `upstream ${endpoint}: error mid-stream: ${chunk.error.slice(0, 200)}`);
          return { texts, choices, error };
        }
        upstreamModel ??= chunk.model;
        if (chunk.usage) usage = chunk.usage;
        if (chunk.finishReason !== undefined) finishReason = chunk.finishReason;
        if (chunk.text !== '' || chunk.finishReason !== undefined || chunk.choices.length > 0) call.firstToken();
        if (chunk.text !== '') texts.push(chunk.text);
        for (const c of chunk.choices) {
          choices.push(c);
          // Billing estimates (no upstream usage) count every generated character, not only choice 0's text.
          parts.push(c.content ?? '', ...(c.toolCalls ?? []).map((t) => `${t.name ?? ''}${t.arguments ?? ''}`));
        }
      }
      return { texts, choices };
    };

    let failure: ConnectError | undefined;
    try {
      for await (const bytes of body) {
        call.progress();
        parser.feed(decoder.decode(bytes as Uint8Array, { stream: true }));
        const { texts, choices, error } = drain();
        // One delta per network read: tokens that arrived together travel together through every
        // hop (fewer gRPC messages), and nothing waits for more data, so latency is unchanged.
        if (texts.length > 0) {
          const text = texts.join('');
          parts.push(text);
          yield { type: 'delta', text };
        }
        for (const choice of choices) yield { type: 'choice', choice };
        if (error) {
          failure = error;
          break;
        }
        if (sawDone) call.finishing(Math.min(options.timeouts?.stallMs ?? POST_DONE_GRACE_MS, POST_DONE_GRACE_MS));
      }
    } catch (err) {
      // The answer was complete; only the trailing end of the HTTP response never came.
      if (!(sawDone && call.drainedOut())) {
        // A timeout or caller abort wins over whatever undici threw; our own errors pass through.
        throw call.failure(err, 'stream');
      }
    }
    if (failure) throw failure;
    parser.feed(decoder.decode());
    parser.reset({ consume: true });
    const tail = drain();
    if (tail.texts.length > 0) {
      const text = tail.texts.join('');
      parts.push(text);
      yield { type: 'delta', text };
    }
    for (const choice of tail.choices) yield { type: 'choice', choice };
    if (tail.error) throw tail.error;
    clean = !call.drainedOut();
    if (!sawDone) {
      throw upstreamError(Code.Unavailable, UpstreamFailureKind.TruncatedStream, `upstream ${endpoint}: stream ended without [DONE] (truncated)`);
    }
    call.dispose();
    const estimated = usage === undefined;
    yield {
      type: 'done',
      usage: usage ?? (await estimateUsage(options.body.messages, parts.join(''), promptExtras(options.body))),
      usageEstimated: estimated,
      finishReason: finishReason ?? 'unknown',
      upstreamModel: upstreamModel ?? options.body.model,
    };
  } finally {
    call.dispose();
    if (body !== undefined && !clean) discardBody(body);
  }
}

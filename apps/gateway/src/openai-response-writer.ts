import type { GatewayHttpError } from './status-to-http.ts';

/**
 * The part of a Node response (HTTP/1 `ServerResponse` or HTTP/2 compat `Http2ServerResponse`)
 * the gateway writes through, so one writer serves both protocols.
 */
export interface HttpResponseSink {
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  readonly destroyed: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(chunk?: string): unknown;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/** The OpenAI error body: `{"error": {message, type, param, code}}`, plus `request_id` (the id its log lines carry) when known. */
export function openAiErrorBody(err: GatewayHttpError, requestId?: string): { error: { message: string; type: string; param: string | null; code: string; request_id?: string } } {
  return { error: { message: err.message, type: err.type, param: err.param, code: err.code, ...(requestId ? { request_id: requestId } : {}) } };
}

/** Writes a complete JSON answer. */
export function writeJson(res: HttpResponseSink, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** Writes an OpenAI-style error answer (with `Retry-After` when the error carries one). */
export function writeOpenAiError(res: HttpResponseSink, err: GatewayHttpError, headers: Record<string, string> = {}): void {
  const extra: Record<string, string> = { ...headers };
  if (err.retryAfterSeconds !== undefined) extra['retry-after'] = String(err.retryAfterSeconds);
  writeJson(res, err.status, openAiErrorBody(err, headers['x-request-id']), extra);
}

/** A Server-Sent Events stream in the OpenAI dialect. */
export interface SseStream {
  /** Sends `data: <json>`; resolves when the socket can take more (backpressure). */
  send(payload: unknown): Promise<void>;
  /**
   * Sends `data: <json>` of JSON already rendered (the per-token path: no object to build or
   * serialise, no promise while the socket takes more); returns a promise only under backpressure.
   */
  sendJson(json: string): Promise<void> | undefined;
  /** Ends successfully with `data: [DONE]`. */
  finish(): void;
  /** Ends with `data: {"error": …}` and no `[DONE]`, so a client cannot mistake it for a full answer. */
  fail(err: GatewayHttpError): void;
}

/** Starts an SSE answer (status 200 and headers go out now). */
export function startSse(res: HttpResponseSink, headers: Record<string, string>): SseStream {
  const requestId = headers['x-request-id'];
  res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  const writeEvent = (data: string): boolean => (res.writableEnded || res.destroyed ? true : res.write(`data: ${data}\n\n`));
  const drained = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });
  const sendJson = (json: string): Promise<void> | undefined => (writeEvent(json) ? undefined : drained());
  return {
    async send(payload) {
      await sendJson(JSON.stringify(payload));
    },
    sendJson,
    finish() {
      writeEvent('[DONE]');
      if (!res.writableEnded) res.end();
    },
    fail(err) {
      writeEvent(JSON.stringify(openAiErrorBody(err, requestId)));
      if (!res.writableEnded) res.end();
    },
  };
}

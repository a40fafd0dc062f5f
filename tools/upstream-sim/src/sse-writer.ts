import type { ServerResponse } from 'node:http';

/**
 * Server-sent events for chat-completion streams. Every write resolves once the bytes are handed to the
 * socket, which gives backpressure and lets a fault cut the connection right after a known token.
 */
export interface SseWriter {
  /** Sends `data: <json>`; resolves false if the connection is gone. */
  event(data: unknown): Promise<boolean>;
  /** Sends a raw `data:` payload (used for `[DONE]` and the malformed-chunk fault). */
  raw(payload: string): Promise<boolean>;
}

/** Writes the event-stream headers and returns the writer. */
export function createSseWriter(res: ServerResponse, signal: AbortSignal, headers: Record<string, string> = {}): SseWriter {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  res.flushHeaders();

  const write = (text: string): Promise<boolean> => {
    if (signal.aborted || res.destroyed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
      res.write(text, (error) => {
        signal.removeEventListener('abort', onAbort);
        resolve(!error);
      });
    });
  };
  return {
    event: (data) => write(`data: ${JSON.stringify(data)}\n\n`),
    raw: (payload) => write(`data: ${payload}\n\n`),
  };
}

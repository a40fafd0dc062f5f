import type { ServerResponse } from 'node:http';

/**
 * Server-sent events for chat-completion streams. `write` waits only under backpressure (node:http
 * already corks writes made in one tick into one socket write), and `flush` waits until everything
 * written so far reached the socket, so a fault can cut the connection right after a known token.
 */
export interface SseWriter {
  /** Sends `data: <json>`; resolves false if the connection is gone. */
  event(data: unknown): Promise<boolean>;
  /** Sends a raw `data:` payload (used for `[DONE]` and the malformed-chunk fault). */
  raw(payload: string): Promise<boolean>;
  /** Resolves once every write so far has been handed to the socket (or the request aborted). */
  flush(): Promise<void>;
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

  let written = 0;
  let flushed = 0;
  let flushWaiters: Array<() => void> = [];
  const onFlushed = (): void => {
    flushed += 1;
    if (flushed === written) {
      const waiters = flushWaiters;
      flushWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };

  const write = (text: string): Promise<boolean> => {
    if (signal.aborted || res.destroyed) return Promise.resolve(false);
    written += 1;
    if (res.write(text, onFlushed)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const settle = (ok: boolean): void => {
        res.off('drain', onDrain);
        res.off('close', onClose);
        signal.removeEventListener('abort', onClose);
        resolve(ok);
      };
      const onDrain = (): void => settle(true);
      const onClose = (): void => settle(false);
      res.once('drain', onDrain);
      res.once('close', onClose);
      signal.addEventListener('abort', onClose, { once: true });
    });
  };

  return {
    event: (data) => write(`data: ${JSON.stringify(data)}\n\n`),
    raw: (payload) => write(`data: ${payload}\n\n`),
    flush() {
      if (flushed === written || signal.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        flushWaiters.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    },
  };
}

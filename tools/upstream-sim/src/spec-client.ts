import { createParser } from 'eventsource-parser';
import { Agent, request } from 'undici';

/**
 * The HTTP client used by this project's specs: real requests over undici with its own connection pool
 * (closed after each suite), reading bodies incrementally so a spec can see what arrived before a stall
 * or a cut.
 */
export interface SpecResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** SSE `data:` payloads, in order (only for event streams). */
  events: string[];
  /** Set when the body ended with an error (reset, cut, abort). */
  error?: Error;
}

export interface SpecRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface SpecClient {
  send(url: string, init?: SpecRequest): Promise<SpecResponse>;
  close(): Promise<void>;
}

/** Creates a client with a private keep-alive pool. */
export function createSpecClient(): SpecClient {
  const agent = new Agent({ keepAliveTimeout: 1000 });
  return {
    async send(url, init = {}) {
      const { statusCode, headers, body } = await request(url, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        dispatcher: agent,
        headers: { 'content-type': 'application/json', ...init.headers },
        ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
        ...(init.signal ? { signal: init.signal } : {}),
      });
      const events: string[] = [];
      const parser = createParser({ onEvent: (event) => events.push(event.data) });
      let text = '';
      let error: Error | undefined;
      try {
        for await (const chunk of body) {
          const piece = Buffer.from(chunk as Uint8Array).toString('utf8');
          text += piece;
          parser.feed(piece);
        }
      } catch (caught) {
        error = caught instanceof Error ? caught : new Error(String(caught));
      }
      return { status: statusCode, headers, text, events, ...(error ? { error } : {}) };
    },
    close: () => agent.close(),
  };
}

/** The chat chunks of a stream, without the `[DONE]` sentinel. */
export function chunksOf(response: SpecResponse): Array<Record<string, unknown>> {
  return response.events.filter((data) => data !== '[DONE]').map((data) => JSON.parse(data) as Record<string, unknown>);
}

/** Concatenated delta contents and the number of chunks that carried content. */
export function contentOf(chunks: ReadonlyArray<Record<string, unknown>>): { text: string; contentChunks: number } {
  let text = '';
  let contentChunks = 0;
  for (const chunk of chunks) {
    const choices = chunk['choices'] as Array<{ delta?: { content?: string } }>;
    const content = choices[0]?.delta?.content;
    if (typeof content === 'string' && content !== '') {
      text += content;
      contentChunks += 1;
    }
  }
  return { text, contentChunks };
}

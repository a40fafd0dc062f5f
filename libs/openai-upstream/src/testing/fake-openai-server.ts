import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as the fake saw it. */
export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Resolves when the client side of this request went away (response closed). */
  closed: Promise<void>;
}

/** Handles one request; the body is already read. */
export type FakeRoute = (req: FakeRequest, res: ServerResponse) => unknown;

/** A scripted OpenAI-compatible HTTP server on 127.0.0.1, port 0. */
export interface FakeOpenAiServer {
  url: string;
  /** Every request so far, in order. */
  requests: FakeRequest[];
  /** Sets the handler for `METHOD /path` (e.g. `POST /v1/chat/completions`). */
  route(key: string, handler: FakeRoute): void;
  /** Sockets currently open to the fake. */
  openSockets(): number;
  close(): Promise<void>;
}

/**
 * Starts a tiny scripted upstream for tests (the full simulator lives in tools/upstream-sim):
 * tests decide byte by byte what the "provider" sends, and can observe server-side when the
 * client hung up. Unrouted paths answer 404. `close` destroys every socket.
 */
export async function createFakeOpenAiServer(): Promise<FakeOpenAiServer> {
  const routes = new Map<string, FakeRoute>();
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const fake: FakeRequest = { method: req.method ?? 'GET', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), closed };
      requests.push(fake);
      const handler = routes.get(`${fake.method} ${path}`);
      if (!handler) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${fake.method} ${path}` } }));
        return;
      }
      Promise.resolve(handler(fake, res)).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (key, handler) => void routes.set(key, handler),
    openSockets: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One SSE `data:` frame for a JSON payload (or the literal `[DONE]`). */
export function sseFrame(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/** Options for {@link writeCompletion}. */
export interface CompletionScript {
  texts: string[];
  model?: string;
  finishReason?: string;
  /** Usage chunk to send; `null` sends none. */
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens?: number } | null;
  /** Send `data: [DONE]` at the end. @default true */
  done?: boolean;
}

/** Writes a whole, well-formed (unless told otherwise) chat-completions stream and ends it. */
export function writeCompletion(res: ServerResponse, script: CompletionScript): void {
  const model = script.model ?? 'fake-model';
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.write(sseFrame({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }));
  for (const text of script.texts) {
    res.write(sseFrame({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: text }, finish_reason: null }] }));
  }
  res.write(sseFrame({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: {}, finish_reason: script.finishReason ?? 'stop' }] }));
  const usage = script.usage === undefined ? { prompt_tokens: 11, completion_tokens: script.texts.length, total_tokens: 11 + script.texts.length } : script.usage;
  if (usage !== null) res.write(sseFrame({ id: 'c1', object: 'chat.completion.chunk', model, choices: [], usage }));
  if (script.done ?? true) res.write(sseFrame('[DONE]'));
  res.end();
}

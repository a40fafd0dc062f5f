import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Code, ConnectError } from '@connectrpc/connect';
import type { UpstreamEvent } from './chat-completion-types.ts';
import { streamChatCompletion, type StreamChatCompletionOptions } from './stream-chat-completion.ts';
import { closeUpstreamDispatchers } from './upstream-dispatcher.ts';
import { isBackendFailure, retryAfterMs, upstreamFailureKind } from './upstream-error.ts';
import { createFakeOpenAiServer, sseFrame, writeCompletion, type FakeOpenAiServer } from './testing/fake-openai-server.ts';

const CHAT = 'POST /v1/chat/completions';
const API_KEY = 'sk-test-secret-123';

async function collect(options: Partial<StreamChatCompletionOptions> & { baseUrl: string }) {
  const events: UpstreamEvent[] = [];
  try {
    for await (const event of streamChatCompletion({
      apiKey: API_KEY,
      body: { model: 'm1', messages: [{ role: 'user', content: 'Say hello to the world' }] },
      ...options,
    })) {
      events.push(event);
    }
    return { events, error: undefined };
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err;
    return { events, error: err };
  }
}

function expectFailure(error: ConnectError | undefined, code: Code, kind: string): ConnectError {
  expect(error).toBeInstanceOf(ConnectError);
  expect({ code: error!.code, kind: upstreamFailureKind(error) }).toEqual({ code, kind });
  expect(error!.message).not.toContain(API_KEY);
  return error!;
}

describe('streamChatCompletion against a real HTTP server', () => {
  let fake: FakeOpenAiServer;
  beforeEach(async () => {
    fake = await createFakeOpenAiServer();
  });
  afterEach(async () => {
    await fake.close();
  });
  afterAll(async () => {
    await closeUpstreamDispatchers();
  });

  it('reports a started event stream before any token, and never a refused or non-stream answer', async () => {
    const seen: string[] = [];
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      setTimeout(() => {
        seen.push('token sent');
        res.write(sseFrame({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }] }));
        res.end('data: [DONE]\n\n');
      }, 50);
    });
    const ok = await collect({ baseUrl: fake.url, onResponse: () => seen.push('response') });
    expect([ok.error, seen]).toEqual([undefined, ['response', 'token sent']]);
    seen.length = 0;
    fake.route(CHAT, (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"boom"}}');
    });
    expect((await collect({ baseUrl: fake.url, onResponse: () => seen.push('response') })).error).toBeInstanceOf(ConnectError);
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html></html>');
    });
    expect((await collect({ baseUrl: fake.url, onResponse: () => seen.push('response') })).error).toBeInstanceOf(ConnectError);
    expect(seen).toEqual([]);
  });

  it('passes on tokens that arrive in separate reads as separate deltas, without waiting', async () => {
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: 'first' }, finish_reason: null }] }));
      setTimeout(() => {
        res.write(sseFrame({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: ' second' }, finish_reason: 'stop' }] }));
        res.end('data: [DONE]\n\n');
      }, 50);
    });
    const { events, error } = await collect({ baseUrl: fake.url });
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'delta')).toEqual([
      { type: 'delta', text: 'first' },
      { type: 'delta', text: ' second' },
    ]);
  });

  it('streams deltas then one done with the exact reported usage, asking for stream usage', async () => {
    fake.route(CHAT, (_req, res) => writeCompletion(res, { texts: ['Hel', 'lo', '!'], model: 'up/m1', usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } }));
    const { events, error } = await collect({ baseUrl: fake.url });
    expect(error).toBeUndefined();
    // Chunks written together arrive in one read and are passed on as one delta.
    expect(events.filter((e) => e.type === 'delta').map((e) => (e.type === 'delta' ? e.text : '')).join('')).toBe('Hello!');
    expect(events.at(-1)).toEqual({ type: 'done', usage: { promptTokens: 9, completionTokens: 3, totalTokens: 12 }, usageEstimated: false, finishReason: 'stop', upstreamModel: 'up/m1' });
    const sent = fake.requests[0]!;
    expect(JSON.parse(sent.body)).toEqual({
      model: 'm1',
      messages: [{ role: 'user', content: 'Say hello to the world' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('resolves paths under a base URL that already names the API root', async () => {
    fake.route('POST /openai/v1/chat/completions', (_req, res) => writeCompletion(res, { texts: ['ok'] }));
    const { events } = await collect({ baseUrl: `${fake.url}/openai/v1/` });
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
  });

  it('counts tokens itself and flags the estimate when the upstream sends no usage', async () => {
    fake.route(CHAT, (_req, res) => writeCompletion(res, { texts: ['Hello', ' world'], usage: null, finishReason: 'length' }));
    const { events, error } = await collect({ baseUrl: fake.url });
    expect(error).toBeUndefined();
    const done = events.at(-1);
    expect(done).toMatchObject({ type: 'done', usageEstimated: true, finishReason: 'length', upstreamModel: 'fake-model' });
    if (done?.type !== 'done') throw new Error('no done');
    expect(done.usage.completionTokens).toBe(2); // "Hello", " world" in o200k
    expect(done.usage.promptTokens).toBeGreaterThan(5);
    expect(done.usage.totalTokens).toBe(done.usage.promptTokens + done.usage.completionTokens);
  });

  it.each([
    [500, Code.Internal, 'http-5xx', true],
    [502, Code.Unavailable, 'http-5xx', true],
    [503, Code.Unavailable, 'http-5xx', true],
    [504, Code.Unavailable, 'http-5xx', true],
    [408, Code.Unavailable, 'http-408', true],
    [400, Code.InvalidArgument, 'http-4xx', false],
    [422, Code.InvalidArgument, 'http-4xx', false],
    [404, Code.NotFound, 'http-4xx', false],
    [401, Code.Internal, 'http-auth', true],
    [403, Code.Internal, 'http-auth', true],
  ])('maps HTTP %i to code %i (%s), backend failure: %s', async (status, code, kind, failure) => {
    fake.route(CHAT, (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY} or bad max_tokens` } }));
    });
    const { events, error } = await collect({ baseUrl: fake.url });
    expect(events).toEqual([]);
    const err = expectFailure(error, code, kind);
    expect(err.message).toContain(`${fake.url}/v1/chat/completions`);
    expect(err.message).toContain(`HTTP ${status}`);
    expect(isBackendFailure(err)).toBe(failure);
  });

  it('passes the upstream explanation on for a 400, but not for auth failures', async () => {
    fake.route(CHAT, (req, res) => {
      const status = JSON.parse(req.body).model === 'bad' ? 400 : 401;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'max_tokens is too large' } }));
    });
    const bad = await collect({ baseUrl: fake.url, body: { model: 'bad', messages: [{ role: 'user', content: 'x' }] } });
    expect(bad.error?.rawMessage).toMatch(/rejected the request: max_tokens is too large$/);
    const auth = await collect({ baseUrl: fake.url });
    expect(auth.error?.rawMessage).not.toContain('max_tokens');
    expect(auth.error?.rawMessage).toContain('rejected our credentials');
  });

  it('maps 429 to ResourceExhausted carrying Retry-After in metadata', async () => {
    fake.route(CHAT, (_req, res) => res.writeHead(429, { 'retry-after': '3' }).end('slow down'));
    const { error } = await collect({ baseUrl: fake.url });
    const err = expectFailure(error, Code.ResourceExhausted, 'http-429');
    expect(retryAfterMs(err)).toBe(3000);
    expect(err.metadata.get('retry-after-ms')).toBe('3000');
    expect(isBackendFailure(err)).toBe(true);
  });

  it('maps a refused connection to Unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { error } = await collect({ baseUrl: `http://127.0.0.1:${port}` });
    const err = expectFailure(error, Code.Unavailable, 'connect-refused');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(isBackendFailure(err)).toBe(true);
  });

  it('maps a connection reset before the first byte to Unavailable', async () => {
    fake.route(CHAT, (req, res) => void res.socket?.destroy());
    const { error } = await collect({ baseUrl: fake.url });
    expectFailure(error, Code.Unavailable, 'reset');
  });

  it('rejects a 200 that is not an event stream', async () => {
    fake.route(CHAT, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices":[]}'));
    const { error } = await collect({ baseUrl: fake.url });
    expectFailure(error, Code.Unavailable, 'bad-content-type');
  });

  it('fails a stream cut before [DONE] after passing on the deltas it got', async () => {
    fake.route(CHAT, (_req, res) => writeCompletion(res, { texts: ['a', 'b'], done: false }));
    const { events, error } = await collect({ baseUrl: fake.url });
    expect(events.map((e) => (e.type === 'delta' ? e.text : e.type)).join('')).toBe('ab');
    const err = expectFailure(error, Code.Unavailable, 'truncated-stream');
    expect(isBackendFailure(err)).toBe(true);
  });

  it('fails a stream whose socket drops mid-stream', async () => {
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame({ model: 'm', choices: [{ index: 0, delta: { content: 'x' } }] }), () => res.socket?.destroy());
    });
    const { events, error } = await collect({ baseUrl: fake.url });
    expect(events).toEqual([{ type: 'delta', text: 'x' }]);
    expectFailure(error, Code.Unavailable, 'reset');
  });

  it('succeeds when the upstream sends [DONE] but never ends the response, then hangs up', async () => {
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame({ model: 'm', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: 'stop' }] }));
      res.write(sseFrame({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }));
      res.write(sseFrame('[DONE]'));
    });
    const { events, error } = await collect({ baseUrl: fake.url, timeouts: { stallMs: 30, totalMs: 60_000 } });
    expect(error).toBeUndefined();
    expect(events.at(-1)).toEqual({ type: 'done', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 }, usageEstimated: false, finishReason: 'stop', upstreamModel: 'm' });
    await fake.requests[0]!.closed;
  });

  it('fails on a malformed chunk', async () => {
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame({ choices: [{ index: 0, delta: { content: 'x' } }] }));
      res.end('data: {"choices": [oops\n\ndata: [DONE]\n\n');
    });
    const { events, error } = await collect({ baseUrl: fake.url });
    expect(events).toEqual([{ type: 'delta', text: 'x' }]);
    const err = expectFailure(error, Code.Unavailable, 'malformed-stream');
    expect(err.message).toContain('not valid JSON');
  });

  it('fails on an error object sent mid-stream', async () => {
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sseFrame({ error: { message: 'model overloaded' } }) + sseFrame('[DONE]'));
    });
    const { error } = await collect({ baseUrl: fake.url });
    expect(expectFailure(error, Code.Unavailable, 'stream-error').message).toContain('model overloaded');
  });

  it('times out waiting for the first token and hangs up on the upstream', async () => {
    fake.route(CHAT, () => undefined); // silent: never answers
    const { error } = await collect({ baseUrl: fake.url, timeouts: { firstTokenMs: 50 } });
    const err = expectFailure(error, Code.Unavailable, 'ttft-timeout');
    expect(isBackendFailure(err)).toBe(true);
    await fake.requests[0]!.closed;
  });

  it('counts a role-only chunk as no token for the TTFT timer', async () => {
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }));
    });
    const { error } = await collect({ baseUrl: fake.url, timeouts: { firstTokenMs: 50 } });
    expectFailure(error, Code.Unavailable, 'ttft-timeout');
  });

  it('times out a stream that stalls between tokens', async () => {
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame({ choices: [{ index: 0, delta: { content: 'first' } }] }));
    });
    const { events, error } = await collect({ baseUrl: fake.url, timeouts: { firstTokenMs: 5000, stallMs: 50 } });
    expect(events).toEqual([{ type: 'delta', text: 'first' }]);
    expectFailure(error, Code.Unavailable, 'stall-timeout');
    await fake.requests[0]!.closed;
  });

  it('does not cut a drip whose gaps stay under the stall timeout, however long it runs', async () => {
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const timer = setInterval(() => {
        sent += 1;
        res.write(sseFrame({ choices: [{ index: 0, delta: { content: '.' } }] }));
        if (sent < 30) return;
        clearInterval(timer);
        res.end(`${sseFrame({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}data: [DONE]\n\n`);
      }, 10);
      res.once('close', () => clearInterval(timer));
    });
    // 30 chunks 10 ms apart outlast the 150 ms stall timer several times over: it must re-arm, not fire.
    const { events, error } = await collect({ baseUrl: fake.url, timeouts: { stallMs: 150 } });
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'delta').map((e) => (e as { text: string }).text).join('')).toBe('.'.repeat(30));
  });

  it('enforces the total timeout on a slow drip that never stalls', async () => {
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => res.write(sseFrame({ choices: [{ index: 0, delta: { content: '.' } }] })), 10);
      res.once('close', () => clearInterval(timer));
    });
    const { events, error } = await collect({ baseUrl: fake.url, timeouts: { stallMs: 5000, totalMs: 100 } });
    expect(events.length).toBeGreaterThan(0);
    const err = expectFailure(error, Code.DeadlineExceeded, 'total-timeout');
    expect(isBackendFailure(err)).toBe(true);
    await fake.requests[0]!.closed;
  });

  it('aborts the upstream request promptly when the caller cancels mid-stream', async () => {
    const controller = new AbortController();
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame({ choices: [{ index: 0, delta: { content: 'tok' } }] }));
    });
    const events: UpstreamEvent[] = [];
    let caught: unknown;
    try {
      for await (const event of streamChatCompletion({ baseUrl: fake.url, body: { model: 'm', messages: [] }, signal: controller.signal })) {
        events.push(event);
        controller.abort();
      }
    } catch (err) {
      caught = err;
    }
    expect(events).toEqual([{ type: 'delta', text: 'tok' }]);
    const err = expectFailure(caught as ConnectError, Code.Canceled, 'caller-cancelled');
    expect(isBackendFailure(err)).toBe(false);
    await fake.requests[0]!.closed; // the server saw the client hang up
  });

  it('maps the caller deadline to DeadlineExceeded that is not a backend failure', async () => {
    fake.route(CHAT, () => undefined);
    const { error } = await collect({ baseUrl: fake.url, signal: AbortSignal.timeout(30) });
    const err = expectFailure(error, Code.DeadlineExceeded, 'caller-deadline');
    expect(isBackendFailure(err)).toBe(false);
    await fake.requests[0]!.closed;
  });

  it('fails at once, without a request, when the caller signal is already aborted', async () => {
    const { error } = await collect({ baseUrl: fake.url, signal: AbortSignal.abort() });
    expectFailure(error, Code.Canceled, 'caller-cancelled');
    expect(fake.requests).toHaveLength(0);
  });

  it('closes the upstream response when the consumer stops iterating', async () => {
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame({ choices: [{ index: 0, delta: { content: 'one' } }] }));
    });
    for await (const event of streamChatCompletion({ baseUrl: fake.url, body: { model: 'm', messages: [] } })) {
      expect(event).toEqual({ type: 'delta', text: 'one' });
      break;
    }
    await fake.requests[0]!.closed;
  });

  it('reuses keep-alive sockets across sequential calls instead of connecting per call', async () => {
    fake.route(CHAT, (_req, res) => writeCompletion(res, { texts: ['x'] }));
    for (let i = 0; i < 6; i++) {
      const { error } = await collect({ baseUrl: fake.url });
      expect(error).toBeUndefined();
    }
    expect(fake.requests).toHaveLength(6);
    // undici frees a socket on its drain event, so a call issued in the same tick may open a
    // second one; never one per call.
    expect(fake.openSockets()).toBeLessThanOrEqual(2);
  });
});

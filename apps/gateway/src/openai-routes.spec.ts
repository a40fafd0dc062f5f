import { request as httpRequest } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { Code, ConnectError } from '@connectrpc/connect';
import { Role } from '@sophia/contracts/common';
import type { GatewayServer } from './gateway-server.ts';
import { defaultScript, FAKE_DECISION, type FakeEvent } from './testing/fake-router.ts';
import { json, jsonHeaders, sseData, startTestGateway, TEST_KEY } from './testing/gateway-harness.ts';

const hello = { messages: [{ role: 'user', content: 'hi' }] };

describe('OpenAI REST API (in-memory router, real HTTP port)', () => {
  let gateway: GatewayServer;
  let fake: Awaited<ReturnType<typeof startTestGateway>>['fake'];
  beforeAll(async () => {
    ({ gateway, fake } = await startTestGateway({ maxBodyBytes: 4096 }));
  });
  afterAll(() => gateway.close(100));
  afterEach(() => fake.setScript(defaultScript));

  const post = (body: string | object, headers: Record<string, string> = jsonHeaders()): Promise<Response> =>
    fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('passes x-sophia-quality to the router as the quality target and rejects a malformed one', async () => {
    const ok = await post({ ...hello }, jsonHeaders({ 'x-sophia-quality': 'premium' }));
    expect(ok.status).toBe(200);
    expect(fake.calls.inputs.at(-1)!.qualityTarget).toBe('premium');
    const plain = await post({ ...hello });
    expect(plain.status).toBe(200);
    expect(fake.calls.inputs.at(-1)!.qualityTarget).toBeUndefined();
    const before = fake.calls.inputs.length;
    const bad = await post({ ...hello }, jsonHeaders({ 'x-sophia-quality': 'very good please' }));
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.param).toBe('x-sophia-quality');
    expect(fake.calls.inputs.length).toBe(before);
  });

  it('answers a completion with the routing decision in headers and the sophia field', async () => {
    const res = await post({ ...hello, model: 'auto', max_tokens: 50, temperature: 0.2, stop: 'END' }, jsonHeaders({ 'x-request-id': 'req-abc.1', 'x-sophia-workload': 'support-bot' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-abc.1');
    expect(res.headers.get('x-sophia-tier')).toBe('simple');
    expect(res.headers.get('x-sophia-model')).toBe('llama-3.1-8b');
    expect(res.headers.get('x-sophia-backend')).toBe('serverless');
    expect(res.headers.get('x-sophia-fallback')).toBe('true');
    expect(res.headers.get('x-sophia-cost-usd')).toBe('0.000042');
    const body = await json(res);
    expect(body).toMatchObject({
      id: 'chatcmpl-req-abc.1',
      object: 'chat.completion',
      model: 'llama-3.1-8b',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello world' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14, prompt_tokens_details: { cached_tokens: 4 } },
      sophia: { tier: 'simple', task_type: 'open_qa', backend: 'serverless', fallback: true, attempts: 2, worst_case_cost_usd: '0.000150', estimated_cost_usd: '0.000150', cost_usd: '0.000042' },
    });
    const input = fake.calls.inputs.at(-1)!;
    expect(input).toMatchObject({ requestId: 'req-abc.1', tenant: 'acme', model: '', workloadTag: 'support-bot' });
    expect(input.messages.map((m) => [m.role, m.content])).toEqual([[Role.USER, 'hi']]);
    expect(input.params).toMatchObject({ maxTokens: 50, temperature: 0.2, stop: ['END'] });
  });

  it('streams SSE chunks: decision on the first, cost on the final, usage chunk, then [DONE]', async () => {
    const res = await post({ ...hello, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-sophia-tier')).toBe('simple');
    expect(res.headers.get('x-sophia-cost-usd')).toBeNull();
    const data = sseData(await res.text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks[0].sophia).toMatchObject({ tier: 'simple', cost_usd: null, fallback: false });
    expect(chunks.slice(1, 3).map((c) => c.choices[0].delta.content)).toEqual(['Hello', ' world']);
    expect(chunks[3].choices[0].finish_reason).toBe('stop');
    expect(chunks[3].sophia).toMatchObject({ cost_usd: '0.000042', fallback: true });
    expect(chunks[4]).toMatchObject({ choices: [], usage: { total_tokens: 14, prompt_tokens_details: { cached_tokens: 4 } } });
    expect(chunks).toHaveLength(5);
  });

  it('omits the usage chunk unless stream_options.include_usage is set', async () => {
    const data = sseData(await (await post({ ...hello, stream: true })).text());
    expect(data).toHaveLength(5);
    expect(data.some((d) => d.includes('"usage"'))).toBe(false);
  });

  it('lists "auto" and the catalog models', async () => {
    const res = await fetch(`${gateway.url}/v1/models`, { headers: { 'x-api-key': TEST_KEY } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.object).toBe('list');
    expect(body.data.map((m: { id: string }) => m.id)).toEqual(['auto', 'llama-3.1-8b', 'llama-3.1-70b']);
    expect(body.data[2]).toMatchObject({ object: 'model', owned_by: 'meta', sophia: { tier: 'balanced', backends: ['serverless', 'gpu'] } });
  });

  it('serves /healthz and /readyz without a key', async () => {
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await json(ready)).toEqual({ status: 'ready' });
  });

  it('generates a request id when the client sent a malformed one', async () => {
    const res = await post(hello, jsonHeaders({ 'x-request-id': 'bad id with spaces' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('bad input: a precise 4xx for each, then a good request still works', () => {
    const cases: Array<[string, () => Promise<Response>, number, string | null, RegExp]> = [
      ['invalid JSON', () => post('{"messages": ['), 400, null, /not valid JSON/],
      ['body not an object', () => post('[1,2]'), 400, null, /must be a JSON object, got an array/],
      ['no messages', () => post({ model: 'auto' }), 400, 'messages', /messages: must be an array/],
      ['empty messages', () => post({ messages: [] }), 400, 'messages', /at least one message/],
      ['unknown role', () => post({ messages: [{ role: 'robot', content: 'x' }] }), 400, 'messages[0].role', /unknown role "robot"/],
      ['non-string content', () => post({ messages: [{ role: 'user', content: 42 }] }), 400, 'messages[0].content', /must be a string, null \(assistant with tool_calls\) or an array/],
      ['image part without url', () => post({ messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url', image_url: {} }] }] }), 400, 'messages[0].content[1].image_url.url', /must be a string/],
      ['max_tokens 0', () => post({ ...hello, max_tokens: 0 }), 400, 'max_tokens', /at least 1/],
      ['max_tokens non-integer', () => post({ ...hello, max_tokens: 2.5 }), 400, 'max_tokens', /integer/],
      ['max_completion_tokens string', () => post({ ...hello, max_completion_tokens: '10' }), 400, 'max_completion_tokens', /integer/],
      ['temperature string', () => post({ ...hello, temperature: 'hot' }), 400, 'temperature', /must be a number/],
      ['temperature out of range', () => post({ ...hello, temperature: 2.5 }), 400, 'temperature', /between 0 and 2/],
      ['top_p out of range', () => post({ ...hello, top_p: 1.5 }), 400, 'top_p', /between 0 and 1/],
      // Refused here, before any budget is reserved: vLLM refuses it, and every hop applies the same rules.
      ['stop too many', () => post({ ...hello, stop: ['a', 'b', 'c', 'd', 'e'] }), 400, 'stop', /at most 4/],
      ['stop wrong type', () => post({ ...hello, stop: 7 }), 400, 'stop', /string/],
      ['n too large', () => post({ ...hello, n: 99 }), 400, 'n', /at most 16/],
      ['tool without function', () => post({ ...hello, tools: [{ type: 'function' }] }), 400, 'tools[0].function', /must be an object/],
      ['bad workload header', () => post(hello, jsonHeaders({ 'x-sophia-workload': 'has spaces' })), 400, 'x-sophia-workload', /must match/],
      ['bad timeout header', () => post(hello, jsonHeaders({ 'x-request-timeout-ms': 'soon' })), 400, 'x-request-timeout-ms', /positive integer/],
      ['unknown model', () => post({ ...hello, model: 'gpt-17' }), 404, 'model', /"gpt-17" is not in the catalog/],
      ['wrong content type', () => post(JSON.stringify(hello), jsonHeaders({ 'content-type': 'text/plain' })), 415, null, /content-type must be application\/json/],
      ['body over the limit', () => post({ messages: [{ role: 'user', content: 'x'.repeat(5000) }] }), 413, null, /exceeds the limit of 4096 bytes/],
      ['invalid UTF-8', () => fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders(), body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }), 400, null, /not valid UTF-8/],
      ['missing API key', () => post(hello, { 'content-type': 'application/json' }), 401, null, /missing or invalid API key/],
      ['wrong API key', () => post(hello, jsonHeaders({ authorization: 'Bearer sk-nope' })), 401, null, /missing or invalid API key/],
    ];
    it.each(cases)('%s', async (_name, send, status, param, message) => {
      const before = fake.calls.inputs.length;
      const res = await send();
      expect(res.status).toBe(status);
      const body = await json(res);
      expect(body.error).toEqual({ message: expect.stringMatching(message), type: expect.any(String), param, code: expect.any(String), request_id: res.headers.get('x-request-id') });
      if (status === 400 || status === 413 || status === 415) expect(body.error.type).toBe('invalid_request_error');
      if (status === 404) expect(body.error.code).toBe('model_not_found');
      if (status !== 404) expect(fake.calls.inputs.length).toBe(before);
    });

    it('still answers a good request afterwards, with text content parts concatenated', async () => {
      const res = await post({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] });
      expect(res.status).toBe(200);
      expect((await json(res)).choices[0].message.content).toBe('Hello world');
      expect(fake.calls.inputs.at(-1)!.messages.map((m) => m.content)).toEqual(['be brief', 'ab']);
    });
  });

  it('refuses a chunked body over the limit with 413 without reading it all', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders() }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.write(`{"messages":[{"role":"user","content":"${'y'.repeat(3000)}`);
      req.write('z'.repeat(3000));
      // Never finished: the gateway must answer without waiting for the end of the body.
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).error.code).toBe('request_too_large');
  });

  it('maps router errors to HTTP: RESOURCE_EXHAUSTED → 429 with Retry-After, UNAVAILABLE → 503', async () => {
    fake.setScript(async function* () {
      throw new ConnectError('tenant acme over its request quota', Code.ResourceExhausted, { 'retry-after-ms': '2500' });
    });
    const limited = await post(hello);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await json(limited)).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'tenant acme over its request quota' });
    fake.setScript(async function* () {
      throw new ConnectError('no backend available for tier simple', Code.Unavailable);
    });
    const down = await post({ ...hello, stream: true });
    expect(down.status).toBe(503);
    expect((await json(down)).error).toMatchObject({ type: 'server_error', code: 'upstream_unavailable' });
  });

  it('ends a stream that fails after it started with an SSE error event and no [DONE]', async () => {
    fake.setScript(async function* () {
      yield { event: { case: 'decision', value: FAKE_DECISION } } satisfies FakeEvent;
      yield { event: { case: 'delta', value: 'partial' } } satisfies FakeEvent;
      throw new ConnectError('backend cut the stream', Code.Unavailable);
    });
    const res = await post({ ...hello, stream: true });
    expect(res.status).toBe(200);
    const data = sseData(await res.text());
    expect(data).not.toContain('[DONE]');
    // The cause stays in the log; the client gets what happened and the request id to quote.
    const requestId = res.headers.get('x-request-id')!;
    expect(JSON.parse(data.at(-1)!)).toEqual({
      error: { message: `no model backend could serve the request right now; retry later (request id ${requestId})`, type: 'server_error', param: null, code: 'upstream_unavailable', request_id: requestId },
    });
    expect(JSON.parse(data[1]!).choices[0].delta.content).toBe('partial');
  });

  it('treats a router stream without "done" as an error, never a truncated success', async () => {
    fake.setScript(async function* () {
      yield { event: { case: 'decision', value: FAKE_DECISION } } satisfies FakeEvent;
      yield { event: { case: 'delta', value: 'half an ans' } } satisfies FakeEvent;
    });
    const unary = await post(hello);
    expect(unary.status).toBe(500);
    const data = sseData(await (await post({ ...hello, stream: true })).text());
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1)!).error.type).toBe('server_error');
  });

  it('aborts the router call when the client disconnects mid-stream', async () => {
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    fake.setScript(async function* (_input, ctx) {
      yield { event: { case: 'decision', value: FAKE_DECISION } } satisfies FakeEvent;
      yield { event: { case: 'delta', value: 'tick' } } satisfies FakeEvent;
      started();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    });
    const res = await post({ ...hello, stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    await startedP;
    const abortSeen = fake.calls.aborts.at(-1)!;
    await reader.cancel();
    await expect(abortSeen).resolves.toBeDefined();
  });

  it('applies x-request-timeout-ms as a deadline: a slow router gives 504', async () => {
    fake.setScript(async function* (_input, ctx) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      yield { event: { case: 'decision', value: FAKE_DECISION } } satisfies FakeEvent;
    });
    const res = await post(hello, jsonHeaders({ 'x-request-timeout-ms': '50' }));
    expect(res.status).toBe(504);
    expect((await json(res)).error.code).toBe('timeout');
  });

  it('answers 404 for unknown paths and 405 for a wrong method', async () => {
    const missing = await fetch(`${gateway.url}/v2/nothing`);
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.code).toBe('not_found');
    const wrong = await fetch(`${gateway.url}/v1/chat/completions`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('serves the same REST API over HTTP/2 cleartext (prior knowledge)', async () => {
    const session = http2Connect(gateway.url);
    try {
      const { status, headers, body } = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/v1/chat/completions', ...jsonHeaders() });
        let text = '';
        let head: Record<string, unknown> = {};
        req.on('response', (h) => (head = h));
        req.on('data', (c: Buffer) => (text += c.toString()));
        req.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: text }));
        req.on('error', reject);
        req.end(JSON.stringify(hello));
      });
      expect(status).toBe(200);
      expect(headers['x-sophia-model']).toBe('llama-3.1-8b');
      expect(JSON.parse(body).choices[0].message.content).toBe('Hello world');
    } finally {
      session.close();
    }
  });
});

import { setTimeout as delay } from 'node:timers/promises';
import { chunksOf, contentOf, createSpecClient, type SpecClient } from './spec-client.ts';
import { createUpstreamSimulator, type UpstreamSimulator } from './upstream-simulator.ts';

let sim: UpstreamSimulator;
let client: SpecClient;

beforeAll(async () => {
  sim = await createUpstreamSimulator({ persona: 'vllm', defaultOutputTokens: 10 });
  client = createSpecClient();
});

afterEach(() => sim.setFault(undefined));

afterAll(async () => {
  await client.close();
  await sim.close();
});

const user = (content: string) => [{ role: 'user', content }];
const chat = (body: Record<string, unknown>, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}) =>
  client.send(`${sim.url}/v1/chat/completions`, { body: { model: 'm', messages: user('hello'), ...body }, ...init });
const stream = { stream: true, stream_options: { include_usage: true } };

/** Polls until the condition holds (the server notices a client leaving asynchronously). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await delay(10);
  expect(condition()).toBe(true);
}

const abortAfter = (ms: number): AbortSignal => AbortSignal.timeout(ms);

describe('error faults', () => {
  it('status: process fault limited by count, OpenAI error JSON', async () => {
    sim.setFault({ kind: 'status', code: 503, count: 1 });
    const failed = await chat({});
    expect(failed.status).toBe(503);
    expect(JSON.parse(failed.text)).toEqual({
      error: { message: expect.stringContaining('503'), type: 'server_error', param: null, code: 'simulated_503' },
    });
    expect((await chat({})).status).toBe(200);
  });

  it('status: chosen by a marker in the last user message and by header', async () => {
    expect((await chat({ messages: user('hi [[sim:fault=status;code=502]]') })).status).toBe(502);
    expect((await chat({}, { headers: { 'x-sim-fault': 'status:code=500' } })).status).toBe(500);
  });

  it('a request fault of "none" overrides the process fault', async () => {
    sim.setFault({ kind: 'status', code: 500 });
    expect((await chat({}, { headers: { 'x-sim-fault': 'none' } })).status).toBe(200);
    expect((await chat({})).status).toBe(500);
  });

  it('rate-limit: 429 with Retry-After', async () => {
    const response = await chat({ messages: user('x [[sim:fault=rate-limit;retry-after=3]]') });
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('3');
    expect(JSON.parse(response.text).error.code).toBe('rate_limit_exceeded');
  });

  it('reset-before-first-byte: the connection dies before any response', async () => {
    await expect(chat({}, { headers: { 'x-sim-fault': 'reset' } })).rejects.toThrow();
  });

  it('wrong-content-type: 200 with an HTML body', async () => {
    const response = await chat({ ...stream }, { headers: { 'x-sim-fault': 'wrong-content-type' } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.text).toContain('<html>');
  });

  it('fail-rate: p=1 always applies the inner fault, p=0 never does', async () => {
    sim.setFault({ kind: 'fail-rate', p: 1, inner: { kind: 'status', code: 502 } });
    expect((await chat({})).status).toBe(502);
    sim.setFault({ kind: 'fail-rate', p: 0, inner: { kind: 'status', code: 502 } });
    expect((await chat({})).status).toBe(200);
  });

  it('fail-rate: the same seed fails the same requests', async () => {
    const run = async (): Promise<number[]> => {
      sim.setFault({ kind: 'fail-rate', p: 0.5, seed: 11, inner: { kind: 'status', code: 503 } });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await chat({})).status);
      return statuses;
    };
    const first = await run();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });
});

describe('stalls and silence', () => {
  it('stall-before-first-token forever: headers, then nothing until the client gives up', async () => {
    const response = await chat({ ...stream }, { headers: { 'x-sim-fault': 'stall-before-first-token' }, signal: abortAfter(150) });
    expect(response.status).toBe(200);
    expect(response.events).toEqual([]);
    expect(response.error).toBeDefined();
    await until(() => sim.stats().inFlight === 0 && sim.stats().running === 0);
  });

  it('stall-before-first-token with ms: the answer follows', async () => {
    const response = await chat({ ...stream, messages: user('x [[sim:fault=stall-first;ms=30]]') });
    expect(response.events.at(-1)).toBe('[DONE]');
  });

  it('stall-before-first-token without streaming: JSON headers, then no body', async () => {
    const response = await chat({}, { headers: { 'x-sim-fault': 'stall-before-first-token' }, signal: abortAfter(150) });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.text).toBe('');
    expect(response.error).toBeDefined();
    await until(() => sim.stats().inFlight === 0);
  });

  it('a per-request time to first token delays the answer', async () => {
    const started = performance.now();
    const response = await chat({ ...stream }, { headers: { 'x-sim-ttft-ms': '120' } });
    expect(response.events.at(-1)).toBe('[DONE]');
    // a lower bound only
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('silent: no headers at all', async () => {
    const pending = chat({}, { headers: { 'x-sim-fault': 'silent' }, signal: abortAfter(150) });
    await until(() => sim.stats().running === 1);
    await expect(pending).rejects.toThrow();
    await until(() => sim.stats().inFlight === 0 && sim.stats().running === 0);
  });

  it('stall-mid-stream forever: exactly K tokens, then silence', async () => {
    const response = await chat({ ...stream }, { headers: { 'x-sim-fault': 'stall-mid-stream:after=3' }, signal: abortAfter(200) });
    expect(contentOf(chunksOf(response)).contentChunks).toBe(3);
    expect(response.events).not.toContain('[DONE]');
    expect(response.error).toBeDefined();
    await until(() => sim.stats().inFlight === 0);
  });

  it('stall-mid-stream with ms: pauses, then completes', async () => {
    const response = await chat({ ...stream, messages: user('x [[sim:fault=stall-mid;after=2;ms=30]]') });
    expect(contentOf(chunksOf(response)).contentChunks).toBe(10);
    expect(response.events.at(-1)).toBe('[DONE]');
  });

  it('slow-drip: every token is delayed', async () => {
    const started = performance.now();
    const response = await chat({ ...stream }, { headers: { 'x-sim-fault': 'slow-drip:ms=20' } });
    expect(contentOf(chunksOf(response)).contentChunks).toBe(10);
    // a lower bound only: ten tokens at 20 ms each cannot arrive sooner
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });
});

describe('broken streams', () => {
  it('cut-mid-stream: K tokens, then the socket closes without [DONE]', async () => {
    const response = await chat({ ...stream, messages: user('x [[sim:fault=cut-mid;after=4]]') });
    expect(response.status).toBe(200);
    expect(contentOf(chunksOf(response)).contentChunks).toBe(4);
    expect(response.events).not.toContain('[DONE]');
    expect(response.error).toBeDefined();
    expect(sim.stats().byStatus['incomplete']).toBeGreaterThan(0);
  });

  it('cut-mid-stream without streaming: a truncated JSON body and a closed socket', async () => {
    const response = await chat({}, { headers: { 'x-sim-fault': 'cut-mid-stream' } });
    expect(response.status).toBe(200);
    expect(response.error).toBeDefined();
    expect(() => JSON.parse(response.text)).toThrow();
  });

  it('malformed-chunk: a non-JSON data line after K tokens', async () => {
    const response = await chat({ ...stream }, { headers: { 'x-sim-fault': 'malformed-chunk:after=2' } });
    const bad = response.events.filter((data) => {
      try {
        JSON.parse(data);
        return false;
      } catch {
        return data !== '[DONE]';
      }
    });
    expect(bad).toHaveLength(1);
    expect(response.events.indexOf(bad[0]!)).toBe(2);
  });
});

describe('health and the fault API', () => {
  it('health-fail: /health 503 while metrics and chat still work', async () => {
    sim.setFault({ kind: 'health-fail' });
    expect((await client.send(`${sim.url}/health`)).status).toBe(503);
    expect((await client.send(`${sim.url}/metrics`)).status).toBe(200);
    expect((await chat({})).status).toBe(200);
    sim.setFault(undefined);
    expect((await client.send(`${sim.url}/health`)).status).toBe(200);
  });

  it('POST /sim/fault takes text or JSON, GET shows it, DELETE clears it, unknown names are 400', async () => {
    const post = (body: unknown) => client.send(`${sim.url}/sim/fault`, { method: 'POST', body });
    expect(JSON.parse((await post({ fault: 'status:code=502,count=2' })).text)).toEqual({ fault: 'status:code=502,count=2' });
    expect(JSON.parse((await client.send(`${sim.url}/sim/fault`)).text).spec).toEqual({ kind: 'status', code: 502, count: 2 });
    expect((await chat({})).status).toBe(502);
    expect((await post({ kind: 'rate-limit', retryAfterSeconds: 1 })).status).toBe(200);
    expect((await chat({})).status).toBe(429);
    expect((await client.send(`${sim.url}/sim/fault`, { method: 'DELETE' })).status).toBe(200);
    expect((await chat({})).status).toBe(200);

    const unknown = await post({ fault: 'meteor' });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text).error).toMatchObject({ param: 'meteor', message: expect.stringContaining('"meteor"') });
    const badJson = await post({ kind: 'status', code: 'x' });
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.text).error.param).toBe('code');
  });

  it('counts faults by kind in /sim/stats', async () => {
    const stats = JSON.parse((await client.send(`${sim.url}/sim/stats`)).text);
    expect(stats.byFault).toMatchObject({ status: expect.any(Number), 'cut-mid-stream': 2, silent: 1 });
  });
});

describe('model list without configured models', () => {
  it('lists the models served so far', async () => {
    await chat({ model: 'served-one' });
    const body = JSON.parse((await client.send(`${sim.url}/v1/models`)).text) as { data: Array<{ id: string; owned_by: string }> };
    expect(body.data).toContainEqual(expect.objectContaining({ id: 'served-one', owned_by: 'vllm', max_model_len: expect.any(Number) }));
  });
});

describe('close()', () => {
  it('ends forever-stalled and silent requests', async () => {
    const own = await createUpstreamSimulator({ persona: 'serverless' });
    const ownClient = createSpecClient();
    const send = (fault: string, body: Record<string, unknown> = {}) =>
      ownClient.send(`${own.url}/v1/chat/completions`, { body: { model: 'm', messages: user('x'), ...body }, headers: { 'x-sim-fault': fault } });
    // outcomes are captured at once so an early rejection is never an unhandled one
    const silent = send('silent').then(() => undefined, (error: unknown) => error);
    const stalled = send('stall-mid-stream:after=1', stream).then((response) => response.error, (error: unknown) => error);
    await until(() => own.stats().running === 2);
    await own.close();
    expect(await silent).toBeInstanceOf(Error);
    // the stream fails before its headers were read or ends with a body error; it never completes
    expect(await stalled).toBeInstanceOf(Error);
    expect(own.stats()).toMatchObject({ inFlight: 0, running: 0 });
    await ownClient.close();
  });
});

import { encode, encodeChat } from 'gpt-tokenizer';
import { chunksOf, contentOf, createSpecClient, type SpecClient } from './spec-client.ts';
import { createUpstreamSimulator, type UpstreamSimulator } from './upstream-simulator.ts';

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Name three rivers in Europe.' },
];

let sim: UpstreamSimulator;
let client: SpecClient;

beforeAll(async () => {
  sim = await createUpstreamSimulator({ persona: 'serverless', models: ['small', 'large'], apiKey: 'sk-test', defaultOutputTokens: 24 });
  client = createSpecClient();
});

afterAll(async () => {
  await client.close();
  await sim.close();
});

const auth = { authorization: 'Bearer sk-test' };
const chat = (body: unknown, headers: Record<string, string> = {}) =>
  client.send(`${sim.url}/v1/chat/completions`, { body, headers: { ...auth, ...headers } });

describe('non-streaming chat completions', () => {
  it('returns a chat.completion with exact usage', async () => {
    const response = await chat({ model: 'small', messages });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    const body = JSON.parse(response.text);
    expect(body).toMatchObject({ object: 'chat.completion', model: 'small', choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }] });
    expect(body.id).toMatch(/^chatcmpl-/);
    const content: string = body.choices[0].message.content;
    expect(content.startsWith('[simulated serverless small] Re: Name three rivers in Europe.')).toBe(true);
    expect(body.usage).toEqual({
      prompt_tokens: encodeChat(messages as Parameters<typeof encodeChat>[0], 'gpt-4o').length,
      completion_tokens: encode(content).length,
      total_tokens: body.usage.prompt_tokens + body.usage.completion_tokens,
    });
    expect(body.usage.completion_tokens).toBe(24);
  });

  it('answers the same request with the same text, and a different seed differently', async () => {
    const text = async (seed?: number) => JSON.parse((await chat({ model: 'small', messages, ...(seed === undefined ? {} : { seed }) })).text).choices[0].message.content as string;
    const first = await text();
    expect(await text()).toBe(first);
    expect(await text(5)).not.toBe(first);
  });

  it('cuts at max_tokens with finish_reason length', async () => {
    const body = JSON.parse((await chat({ model: 'small', messages, max_tokens: 7 })).text);
    expect(body.choices[0].finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(7);
  });

  it('honours the per-request length override from a header and from a marker (stripped from the echo)', async () => {
    const viaHeader = JSON.parse((await chat({ model: 'small', messages }, { 'x-sim-output-tokens': '40' })).text);
    expect(viaHeader.usage.completion_tokens).toBe(40);
    const marked = [{ role: 'user', content: 'Name three rivers in Europe. [[sim:tokens=20]]' }];
    const viaMarker = JSON.parse((await chat({ model: 'small', messages: marked })).text);
    expect(viaMarker.usage.completion_tokens).toBe(20);
    expect(viaMarker.choices[0].message.content).not.toContain('[[sim:');
    expect(viaMarker.choices[0].message.content).toContain('Re: Name three rivers in Europe.');
    // the marker is part of what the upstream received, so it is billed as prompt
    expect(viaMarker.usage.prompt_tokens).toBe(encodeChat(marked as Parameters<typeof encodeChat>[0], 'gpt-4o').length);
  });
});

describe('streaming chat completions', () => {
  it('sends one chunk per token, a finish chunk, a usage chunk and [DONE]', async () => {
    const response = await chat({ model: 'large', messages, stream: true, stream_options: { include_usage: true } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    expect(response.error).toBeUndefined();
    expect(response.events.at(-1)).toBe('[DONE]');
    const chunks = chunksOf(response);
    expect(chunks[0]).toMatchObject({ object: 'chat.completion.chunk', model: 'large', choices: [{ delta: { role: 'assistant' } }] });
    const { text, contentChunks } = contentOf(chunks);
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk['choices']).toEqual([]);
    const usage = usageChunk['usage'] as { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    expect(contentChunks).toBe(usage.completion_tokens);
    expect(encode(text).length).toBe(usage.completion_tokens);
    expect(usage.prompt_tokens).toBe(encodeChat(messages as Parameters<typeof encodeChat>[0], 'gpt-4o').length);
    expect(chunks.at(-2)).toMatchObject({ choices: [{ delta: {}, finish_reason: 'stop' }] });
    // every content chunk is exactly one token
    for (const chunk of chunks.slice(0, -2)) {
      const content = (chunk['choices'] as Array<{ delta: { content: string } }>)[0]!.delta.content;
      expect(encode(content)).toHaveLength(1);
    }
    // the stream and the JSON answer agree
    const json = JSON.parse((await chat({ model: 'large', messages })).text);
    expect(json.choices[0].message.content).toBe(text);
  });

  it('omits the usage chunk unless include_usage is set and reports length on max_tokens', async () => {
    const response = await chat({ model: 'large', messages, stream: true, max_completion_tokens: 3 });
    const chunks = chunksOf(response);
    expect(chunks).toHaveLength(4);
    expect(chunks.every((chunk) => (chunk['choices'] as unknown[]).length === 1 && !('usage' in chunk))).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [{ finish_reason: 'length' }] });
  });
});

describe('prompt-cache hits', () => {
  const promptTokens = encodeChat(messages as Parameters<typeof encodeChat>[0], 'gpt-4o').length;

  it('reports the cached prompt tokens a request asks for, in the JSON answer and the streamed usage chunk, capped at the prompt', async () => {
    const json = JSON.parse((await chat({ model: 'small', messages }, { 'x-sim-cached-tokens': '8' })).text);
    expect(json.usage.prompt_tokens_details).toEqual({ cached_tokens: 8 });
    expect(json.usage.prompt_tokens).toBe(promptTokens);
    const streamed = chunksOf(await chat({ model: 'small', messages, stream: true, stream_options: { include_usage: true } }, { 'x-sim-cached-tokens': '100000' }));
    expect(streamed.at(-1)!['usage']).toMatchObject({ prompt_tokens: promptTokens, prompt_tokens_details: { cached_tokens: promptTokens } });
  });

  it('takes the marker too, and reports no details when not asked', async () => {
    const marked = [messages[0]!, { role: 'user', content: `${messages[1]!.content} [[sim:cached-tokens=3]]` }];
    expect(JSON.parse((await chat({ model: 'small', messages: marked })).text).usage.prompt_tokens_details).toEqual({ cached_tokens: 3 });
    expect(JSON.parse((await chat({ model: 'small', messages })).text).usage).not.toHaveProperty('prompt_tokens_details');
    const bad = await chat({ model: 'small', messages }, { 'x-sim-cached-tokens': 'lots' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('x-sim-cached-tokens');
  });
});

describe('request validation and access', () => {
  it('rejects a missing or wrong API key with 401', async () => {
    for (const headers of [{ authorization: '' }, { authorization: 'Bearer nope' }]) {
      const response = await client.send(`${sim.url}/v1/chat/completions`, { body: { model: 'small', messages }, headers });
      expect(response.status).toBe(401);
      expect(JSON.parse(response.text).error.code).toBe('invalid_api_key');
    }
    expect((await client.send(`${sim.url}/v1/models`)).status).toBe(401);
  });

  it('rejects unknown models with 404 model_not_found', async () => {
    const response = await chat({ model: 'huge', messages });
    expect(response.status).toBe(404);
    expect(JSON.parse(response.text)).toEqual({
      error: { message: expect.stringContaining('huge'), type: 'invalid_request_error', param: 'model', code: 'model_not_found' },
    });
  });

  it('rejects bad fields with 400 naming the field', async () => {
    const cases: Array<[unknown, string | null]> = [
      ['{not json', null],
      [{ model: 'small' }, 'messages'],
      [{ model: 'small', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content'],
      [{ model: 'small', messages, max_tokens: -1 }, 'max_tokens'],
      [{ model: 'small', messages, stream: 'no' }, 'stream'],
      [{ model: 'small', messages: [{ role: 'user', content: 'x [[sim:colour=red]]' }] }, 'messages[0].content'],
      [{ model: 'small', messages: [{ role: 'user', content: 'x [[sim:fault=explode]]' }] }, 'messages[0].content'],
    ];
    for (const [body, param] of cases) {
      const response = await chat(body);
      expect(response.status).toBe(400);
      const error = JSON.parse(response.text).error;
      expect(error).toMatchObject({ type: 'invalid_request_error', param });
    }
    const badHeader = await chat({ model: 'small', messages }, { 'x-sim-fault': 'explode' });
    expect(badHeader.status).toBe(400);
    expect(JSON.parse(badHeader.text).error).toMatchObject({ param: 'x-sim-fault', message: expect.stringContaining('explode') });
  });

  it('lists the configured models in OpenAI format', async () => {
    const response = await client.send(`${sim.url}/v1/models`, { headers: auth });
    const body = JSON.parse(response.text);
    expect(body.object).toBe('list');
    expect(body.data.map((model: { id: string }) => model.id)).toEqual(['small', 'large']);
    expect(body.data[0]).toMatchObject({ object: 'model', owned_by: expect.any(String) });
  });

  it('serves /health, /metrics and /sim/stats without the key, and 404s unknown paths', async () => {
    const health = await client.send(`${sim.url}/health`);
    expect([health.status, health.text]).toEqual([200, 'ok']);
    expect((await client.send(`${sim.url}/metrics`)).text).toContain('vllm:num_requests_running');
    const stats = JSON.parse((await client.send(`${sim.url}/sim/stats`)).text);
    expect(stats).toMatchObject({ inFlight: 0, running: 0, waiting: 0, fault: null });
    expect(stats.requests).toBeGreaterThan(0);
    expect(stats.byStatus['200']).toBeGreaterThan(0);
    expect((await client.send(`${sim.url}/nowhere`)).status).toBe(404);
    expect((await client.send(`${sim.url}/health`, { method: 'POST', body: {} })).status).toBe(405);
  });
});

describe('prompt billing like a provider with its own tokenizer and chat template', () => {
  it('bills ceil(count × percent / 100) + overhead prompt tokens', async () => {
    const billing = await createUpstreamSimulator({ persona: 'serverless', promptTokenPercent: 130, promptOverheadTokens: 30 });
    try {
      const response = await client.send(`${billing.url}/v1/chat/completions`, { body: { model: 'small', messages } });
      const counted = encodeChat(messages as Parameters<typeof encodeChat>[0], 'gpt-4o').length;
      expect(JSON.parse(response.text).usage.prompt_tokens).toBe(Math.ceil((counted * 130) / 100) + 30);
    } finally {
      await billing.close();
    }
  });
});

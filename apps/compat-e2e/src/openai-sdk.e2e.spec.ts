import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import type { Mesh } from '@sophia/dev';
import { API_KEY, BROWSER_ORIGIN, startCompatMesh } from './compat-mesh.ts';

// The official OpenAI Node SDK (current major) against a real mesh: every call below is the SDK's
// own request building, streaming parser, helpers and error classes — no hand-written HTTP.

const SMALL = 'meta-llama/Llama-3.1-8B-Instruct';
const NO_TOOLS_ON_SERVERLESS = 'NousResearch/Hermes-3-Llama-3.1-8B';
const VISION = 'meta-llama/Llama-3.2-11B-Vision-Instruct';
const REASONING = 'openai/gpt-oss-120b';
const EMBEDDINGS = 'BAAI/bge-large-en-v1.5';
const IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const weatherTool: OpenAI.Chat.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather of a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
    strict: true,
  },
};

let mesh: Mesh;
let client: OpenAI;

beforeAll(async () => {
  mesh = await startCompatMesh();
  client = new OpenAI({ baseURL: `${mesh.gatewayUrl}/v1`, apiKey: API_KEY, maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
});

describe('models', () => {
  it('lists chat and embeddings models with their capabilities, and retrieves one by an id holding a slash', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['auto', SMALL, VISION, EMBEDDINGS]));
    const small = page.data.find((m) => m.id === SMALL) as unknown as { sophia: { kind: string; features: string[] } };
    expect(small.sophia.kind).toBe('chat');
    expect(small.sophia.features).toEqual(expect.arrayContaining(['tools', 'json']));
    const retrieved = await client.models.retrieve(SMALL);
    expect(retrieved).toMatchObject({ id: SMALL, object: 'model', owned_by: 'meta' });
    await expect(client.models.retrieve('no-such/model')).rejects.toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
  });
});

describe('chat completions', () => {
  it('answers a plain request with usage, the routing decision and a request id', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 20 }).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]!.message.content).toMatch(/simulated/);
    expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect((data as unknown as { sophia: { cost_usd: string } }).sophia.cost_usd).toMatch(/^\d+\.\d{6}$/);
  });

  it('streams text deltas and a usage chunk (stream_options.include_usage); top_p 0 is accepted', async () => {
    const stream = await client.chat.completions.create({ model: SMALL, messages: [{ role: 'user', content: 'Count to three.' }], stream: true, stream_options: { include_usage: true }, top_p: 0, max_tokens: 12 });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toBe('length');
    expect(usage?.completion_tokens).toBe(12);
  });

  it('passes penalties, logit_bias, seed and user to a model whose providers take them', async () => {
    const res = await client.chat.completions.create({
      model: SMALL,
      messages: [{ role: 'user', content: 'hi' }],
      frequency_penalty: 0.5,
      presence_penalty: 0.2,
      logit_bias: { '50256': -100 },
      seed: 7,
      user: 'end-user-1',
      max_tokens: 8,
    });
    expect(res.choices[0]!.finish_reason).toBe('length');
  });

  it('returns n choices, each billed (completion tokens add up over choices)', async () => {
    const one = await client.chat.completions.create({ model: SMALL, messages: [{ role: 'user', content: 'pick a word' }], max_tokens: 5 });
    const three = await client.chat.completions.create({ model: SMALL, messages: [{ role: 'user', content: 'pick a word' }], max_tokens: 5, n: 3 });
    expect(three.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(new Set(three.choices.map((c) => c.message.content)).size).toBeGreaterThan(1);
    expect(three.usage!.completion_tokens).toBe(3 * one.usage!.completion_tokens);
    const cost = (r: unknown): number => Number((r as { sophia: { cost_usd: string } }).sophia.cost_usd);
    expect(cost(three)).toBeGreaterThan(cost(one));
    const stream = await client.chat.completions.create({ model: SMALL, messages: [{ role: 'user', content: 'pick a word' }], max_tokens: 5, n: 2, stream: true });
    const texts = ['', ''];
    const finishes: Array<string | null> = [null, null];
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        texts[c.index] += c.delta.content ?? '';
        finishes[c.index] = c.finish_reason ?? finishes[c.index]!;
      }
    }
    expect(texts.every((t) => t.length > 0)).toBe(true);
    expect(finishes).toEqual(['length', 'length']);
  });

  it('returns logprobs with top alternatives', async () => {
    const res = await client.chat.completions.create({ model: SMALL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4, logprobs: true, top_logprobs: 2 });
    const content = res.choices[0]!.logprobs!.content!;
    expect(content).toHaveLength(4);
    expect(content.map((t) => t.token).join('')).toBe(res.choices[0]!.message.content);
    for (const t of content) {
      expect(t.logprob).toBeLessThan(0);
      expect(t.top_logprobs).toHaveLength(2);
    }
  });
});

describe('tools', () => {
  it('calls a tool (arguments follow its schema), then answers the tool result: a full loop with the SDK', async () => {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await client.chat.completions.create({ model: SMALL, messages, tools: [weatherTool], tool_choice: 'auto', parallel_tool_calls: false });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0]! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe('get_weather');
    const args = JSON.parse(call.function.arguments) as { city: string; unit: string };
    expect(typeof args.city).toBe('string');
    expect(['celsius', 'fahrenheit']).toContain(args.unit);
    messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ temperature: 21, unit: args.unit }) });
    const second = await client.chat.completions.create({ model: SMALL, messages, tools: [weatherTool] });
    expect(second.choices[0]!.finish_reason).not.toBe('tool_calls');
    expect(second.choices[0]!.message.content).toMatch(/simulated/);
  });

  it('streams tool-call deltas that the SDK assembles into the call (chat.completions.stream helper)', async () => {
    const stream = client.chat.completions.stream({ model: SMALL, messages: [{ role: 'user', content: 'weather in Oslo?' }], tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } } });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(call.id).toMatch(/^call_/);
    expect(JSON.parse(call.function.arguments)).toEqual({ city: expect.any(String), unit: 'celsius' });
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('runs the SDK tool runner (runTools) to a final answer', async () => {
    const seen: string[] = [];
    const runner = client.chat.completions.runTools({
      model: SMALL,
      messages: [{ role: 'user', content: 'Use get_weather for Rome.' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather of a city',
            parameters: weatherTool.function.parameters!,
            function: (args: { city: string }) => {
              seen.push(args.city);
              return { temperature: 25 };
            },
            parse: JSON.parse,
          },
        },
      ],
    });
    const content = await runner.finalContent();
    expect(seen).toHaveLength(1);
    expect(content).toMatch(/simulated/);
  });

  it('never serves a tool request from a target without tools: the model is served on GPU, whose vLLM has them', async () => {
    const { data, response } = await client.chat.completions.create({ model: NO_TOOLS_ON_SERVERLESS, messages: [{ role: 'user', content: 'weather in Lima?' }], tools: [weatherTool] }).withResponse();
    expect(data.choices[0]!.message.tool_calls).toHaveLength(1);
    expect(response.headers.get('x-sophia-backend')).toBe('gpu');
  });
});

describe('structured output', () => {
  it('parses a zod json_schema answer (chat.completions.parse) and a json_object answer', async () => {
    const Person = z.object({ name: z.string(), age: z.number().int(), tags: z.array(z.string()) });
    const parsed = await client.chat.completions.parse({ model: SMALL, messages: [{ role: 'user', content: 'Invent a person.' }], response_format: zodResponseFormat(Person, 'person') });
    const person = parsed.choices[0]!.message.parsed;
    expect(Person.parse(person)).toEqual(person);
    const json = await client.chat.completions.create({ model: SMALL, messages: [{ role: 'user', content: 'JSON please' }], response_format: { type: 'json_object' } });
    expect(typeof JSON.parse(json.choices[0]!.message.content!)).toBe('object');
  });
});

describe('images and per-model parameters', () => {
  const withImage: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: IMAGE, detail: 'low' } }] },
  ];

  it('serves image parts on a model that takes images, and routes "auto" there', async () => {
    const named = await client.chat.completions.create({ model: VISION, messages: withImage, max_tokens: 8 });
    expect(named.model).toBe(VISION);
    const routed = await client.chat.completions.create({ model: 'auto', messages: withImage, max_tokens: 8 });
    expect(routed.model).toBe(VISION);
  });

  it('refuses with a 400 naming the parameter when the named model cannot honour it — never a silent drop', async () => {
    await expect(client.chat.completions.create({ model: SMALL, messages: withImage })).rejects.toMatchObject({
      status: 400,
      param: 'messages[0].content[1]',
      message: expect.stringContaining(`model "${SMALL}" does not support image input`),
    });
    await expect(client.chat.completions.create({ model: SMALL, messages: [{ role: 'user', content: 'hi' }], reasoning_effort: 'low' })).rejects.toMatchObject({ status: 400, param: 'reasoning_effort' });
    await expect(client.chat.completions.create({ model: REASONING, messages: [{ role: 'user', content: 'hi' }], logit_bias: { '1': 5 } })).rejects.toMatchObject({ status: 400, param: 'logit_bias' });
    const reasoned = await client.chat.completions.create({ model: REASONING, messages: [{ role: 'user', content: 'hi' }], reasoning_effort: 'low', max_tokens: 5 });
    expect(reasoned.model).toBe(REASONING);
  });
});

describe('embeddings', () => {
  it('embeds with an embeddings model of the catalog (SDK default base64 and float), billed on input tokens', async () => {
    const res = await client.embeddings.create({ model: EMBEDDINGS, input: ['the cat sat', 'a dog ran', 'the cat sat'] });
    expect(res.data).toHaveLength(3);
    expect(res.data[0]!.embedding).toHaveLength(1024);
    expect(res.data[0]!.embedding).toEqual(res.data[2]!.embedding);
    expect(res.data[0]!.embedding).not.toEqual(res.data[1]!.embedding);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    expect(Number((res as unknown as { sophia: { cost_usd: string } }).sophia.cost_usd)).toBeGreaterThan(0);
    const floats = await client.embeddings.create({ model: EMBEDDINGS, input: 'the cat sat', encoding_format: 'float', dimensions: 64 });
    expect(floats.data[0]!.embedding).toHaveLength(64);
    await expect(client.embeddings.create({ model: SMALL, input: 'x' })).rejects.toMatchObject({ status: 400, param: 'model' });
  });
});

describe('errors in OpenAI terms', () => {
  it('names the parameter, carries the request id, and never shows internals', async () => {
    const err = (await client.chat.completions.create({ model: SMALL, messages: [{ role: 'user', content: 'x' }], temperature: 5 }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.param).toBe('temperature');
    expect(err.requestID).toBeTruthy();
    expect((err.error as { request_id?: string }).request_id).toBe(err.requestID);
    const unknownArg = (await client.chat.completions.create({ model: SMALL, messages: [{ role: 'user', content: 'x' }], top_k: 3 } as never).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(unknownArg.param).toBe('top_k');
    const badTurn = (await client.chat.completions.create({ model: SMALL, messages: [{ role: 'user', content: 'x' }, { role: 'tool', content: 'r' } as never] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(badTurn.param).toBe('messages[1].tool_call_id');
    const missing = (await client.chat.completions.create({ model: 'gpt-17', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing.code).toBe('model_not_found');
    for (const e of [err, unknownArg, badTurn, missing]) expect(e.message).not.toMatch(/input\.|https?:\/\/|sophia\.[a-z]+\.v1|serverless:|gpu:/);
    const unauth = new OpenAI({ baseURL: `${mesh.gatewayUrl}/v1`, apiKey: 'wrong', maxRetries: 0 });
    await expect(unauth.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe('browser clients', () => {
  it('allows the x-stainless-* headers the OpenAI JS SDK sends from a browser (CORS preflight)', async () => {
    const res = await fetch(`${mesh.gatewayUrl}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: BROWSER_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-stainless-os,x-stainless-lang,x-stainless-package-version,x-stainless-retry-count,x-stainless-timeout',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(BROWSER_ORIGIN);
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',').map((h) => h.trim());
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-stainless-os', 'x-stainless-retry-count', 'x-stainless-timeout']));
  });
});

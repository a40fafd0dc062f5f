import { Code, type Client } from '@connectrpc/connect';
import { Backend, Role } from '@sophia/contracts/common';
import type { InferenceService } from '@sophia/contracts/inference';
import { closeUpstreamDispatchers, FAILURE_KIND_HEADER, USAGE_ESTIMATED_TRAILER } from '@sophia/openai-upstream';
import { createFakeOpenAiServer, drainGenerate as drain, inferenceTestClient, sseFrame, writeCompletion, type FakeOpenAiServer } from '@sophia/openai-upstream/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only: the simulator is the mesh's stand-in upstream
import { createUpstreamSimulator, type UpstreamSimulator } from '@sophia/upstream-sim';
import { createServerlessInferenceHandler, type ServerlessInferenceDeps } from './serverless-inference-handler.ts';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const messages = [{ role: Role.USER, content: 'Name three colours.' }];

function clientFor(deps: ServerlessInferenceDeps): Client<typeof InferenceService> {
  return inferenceTestClient(createServerlessInferenceHandler(deps));
}

afterAll(() => closeUpstreamDispatchers());

describe('serverless InferenceService against the upstream simulator', () => {
  let sim: UpstreamSimulator;
  beforeAll(async () => {
    sim = await createUpstreamSimulator({ persona: 'serverless', apiKey: 'sk-sim', defaultOutputTokens: 12 });
  });
  afterAll(() => sim.close());
  afterEach(() => sim.setFault(undefined));

  it('streams the completion and ends with usage equal to what the upstream counted', async () => {
    const before = sim.stats();
    const client = clientFor({ baseUrl: `${sim.url}/v1`, apiKey: 'sk-sim', providerName: 'sim' });
    const out = await drain(client.generate({ requestId: 'r1', model: MODEL, messages }));
    expect(out.error).toBeUndefined();
    expect(out.text.length).toBeGreaterThan(0);
    const after = sim.stats();
    expect(out.done).toMatchObject({
      endpoint: 'sim',
      upstreamModel: MODEL,
      usage: {
        promptTokens: after.promptTokens - before.promptTokens,
        completionTokens: after.completionTokens - before.completionTokens,
      },
    });
    expect(out.done && 'usage' in out.done ? out.done.usage?.totalTokens : 0).toBe(
      after.promptTokens - before.promptTokens + after.completionTokens - before.completionTokens,
    );
  });

  it.each([
    [{ kind: 'status', code: 503 } as const, Code.Unavailable, 'http-5xx'],
    [{ kind: 'rate-limit', retryAfterSeconds: 2 } as const, Code.ResourceExhausted, 'http-429'],
    // The simulator cuts by destroying the socket mid-body: a reset, not a clean end without [DONE].
    [{ kind: 'cut-mid-stream', afterTokens: 2 } as const, Code.Unavailable, 'reset'],
    [{ kind: 'malformed-chunk', afterTokens: 1 } as const, Code.Unavailable, 'malformed-stream'],
    [{ kind: 'reset-before-first-byte' } as const, Code.Unavailable, 'reset'],
    [{ kind: 'wrong-content-type' } as const, Code.Unavailable, 'bad-content-type'],
  ])('fails %j with code %i and no done event, the kind crossing the transport', async (fault, code, kind) => {
    sim.setFault(fault);
    const client = clientFor({ baseUrl: `${sim.url}/v1`, apiKey: 'sk-sim' });
    const out = await drain(client.generate({ model: MODEL, messages }));
    expect(out.done).toBeUndefined();
    expect(out.error?.code).toBe(code);
    expect(out.error?.metadata.get(FAILURE_KIND_HEADER)).toBe(kind);
  });

  it('times out a silent upstream on the first-token timeout', async () => {
    sim.setFault({ kind: 'silent' });
    const client = clientFor({ baseUrl: `${sim.url}/v1`, apiKey: 'sk-sim', timeouts: { firstTokenMs: 50 } });
    const out = await drain(client.generate({ model: MODEL, messages }));
    expect([out.error?.code, out.error?.metadata.get(FAILURE_KIND_HEADER)]).toEqual([Code.Unavailable, 'ttft-timeout']);
  });

  it('reports our bad key as Internal, never Unauthenticated', async () => {
    const client = clientFor({ baseUrl: `${sim.url}/v1`, apiKey: 'sk-wrong' });
    const out = await drain(client.generate({ model: MODEL, messages }));
    expect(out.error?.code).toBe(Code.Internal);
    expect(out.error?.message).not.toContain('sk-wrong');
  });
});

describe('serverless InferenceService with a scripted upstream', () => {
  let fake: FakeOpenAiServer;
  beforeEach(async () => {
    fake = await createFakeOpenAiServer();
  });
  afterEach(() => fake.close());

  it('sends the provider model name from modelMap and refuses models it maps to nothing', async () => {
    fake.route('POST /v1/chat/completions', (_req, res) => writeCompletion(res, { texts: ['ok'] }));
    const client = clientFor({ baseUrl: fake.url, modelMap: (id) => (id === MODEL ? 'together/llama-8b' : undefined) });
    const out = await drain(client.generate({ model: MODEL, messages }));
    expect(out.error).toBeUndefined();
    expect(JSON.parse(fake.requests[0]!.body).model).toBe('together/llama-8b');
    const missing = await drain(client.generate({ model: 'other/model', messages }));
    expect(missing.error?.code).toBe(Code.NotFound);
    expect(missing.error?.rawMessage).toContain('other/model');
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects an invalid request without calling the upstream', async () => {
    const client = clientFor({ baseUrl: fake.url });
    const out = await drain(client.generate({ model: MODEL, messages: [] }));
    expect([out.error?.code, out.error?.rawMessage]).toEqual([Code.InvalidArgument, 'messages: at least one message is required']);
    expect(fake.requests).toHaveLength(0);
  });

  it('flags locally counted usage in a trailer', async () => {
    fake.route('POST /v1/chat/completions', (_req, res) => writeCompletion(res, { texts: ['Hello'], usage: null }));
    const client = clientFor({ baseUrl: fake.url });
    let trailer: Headers | undefined;
    const out = await drain(client.generate({ model: MODEL, messages }, { onTrailer: (t) => (trailer = t) }));
    expect(out.done).toMatchObject({ usage: { completionTokens: 1 } });
    expect(trailer?.get(USAGE_ESTIMATED_TRAILER)).toBe('true');
  });

  it('cancels the upstream request when the client goes away', async () => {
    fake.route('POST /v1/chat/completions', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame({ choices: [{ index: 0, delta: { content: 'partial' } }] }));
    });
    const client = clientFor({ baseUrl: fake.url });
    const controller = new AbortController();
    const stream = client.generate({ model: MODEL, messages }, { signal: controller.signal });
    const out = await drain(
      (async function* () {
        for await (const res of stream) {
          yield res;
          controller.abort();
        }
      })(),
    );
    expect(out.text).toBe('partial');
    expect(out.error?.code).toBe(Code.Canceled);
    await fake.requests[0]!.closed;
    expect(await client.getCapacity({})).toMatchObject({ totalRunning: 0, healthyEndpoints: 1 });
  });

  it('ends at the caller deadline and hangs up on the upstream', async () => {
    fake.route('POST /v1/chat/completions', () => undefined);
    const client = clientFor({ baseUrl: fake.url });
    const out = await drain(client.generate({ model: MODEL, messages }, { timeoutMs: 500 }));
    expect(out.error?.code).toBe(Code.DeadlineExceeded);
    await fake.requests[0]!.closed;
  });

  it('lists models from /v1/models, cached, or from config', async () => {
    fake.route('GET /v1/models', (_req, res) => res.end(JSON.stringify({ data: [{ id: 'a' }, { id: 'b' }] })));
    const client = clientFor({ baseUrl: fake.url, providerName: 'p' });
    const first = await client.listModels({});
    await client.listModels({});
    expect(first.models.map((m) => [m.id, m.backend, m.endpoints])).toEqual([
      ['a', Backend.SERVERLESS, ['p']],
      ['b', Backend.SERVERLESS, ['p']],
    ]);
    expect(fake.requests.filter((r) => r.path === '/v1/models')).toHaveLength(1);
    const configured = clientFor({ baseUrl: fake.url, models: [MODEL] });
    expect((await configured.listModels({})).models.map((m) => m.id)).toEqual([MODEL]);
    expect(fake.requests).toHaveLength(1);
  });

  it('reports capacity unhealthy once the provider breaker opens, and healthy after a half-open success', async () => {
    let status = 400;
    fake.route('POST /v1/chat/completions', (_req, res) => (status === 200 ? writeCompletion(res, { texts: ['x'] }) : res.writeHead(status).end()));
    const client = clientFor({ baseUrl: fake.url, providerName: 'p', breaker: { volumeThreshold: 2, resetTimeoutMs: 100 } });
    for (let i = 0; i < 3; i++) expect((await drain(client.generate({ model: MODEL, messages }))).error?.code).toBe(Code.InvalidArgument);
    expect((await client.getCapacity({})).healthyEndpoints).toBe(1); // client errors do not count
    status = 502; // four failures after three client errors: over 50 % of the window
    for (let i = 0; i < 4; i++) await drain(client.generate({ model: MODEL, messages }));
    const down = await client.getCapacity({});
    expect(down).toMatchObject({ backend: Backend.SERVERLESS, healthyEndpoints: 0, totalRunning: 0 });
    expect(down.endpoints[0]).toMatchObject({ endpoint: 'p', healthy: false });
    expect(down.endpoints[0]?.lastError).toContain('HTTP 502');
    const refused = await drain(client.generate({ model: MODEL, messages }));
    expect([refused.error?.code, refused.error?.rawMessage]).toEqual([Code.Unavailable, expect.stringContaining('p: circuit breaker open')]);
    status = 200;
    await new Promise((resolve) => setTimeout(resolve, 150)); // the breaker's reset timeout: a half-open probe may pass
    expect((await drain(client.generate({ model: MODEL, messages }))).error).toBeUndefined();
    expect((await client.getCapacity({})).endpoints[0]).toMatchObject({ healthy: true, lastError: '' });
  });
});

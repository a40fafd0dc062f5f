import { Code, type Client } from '@connectrpc/connect';
import { Backend, Role } from '@sophia/contracts/common';
import type { InferenceService } from '@sophia/contracts/inference';
import { closeUpstreamDispatchers, FAILURE_KIND_HEADER, RETRY_AFTER_HEADER } from '@sophia/openai-upstream';
import { createTtftLimits } from '@sophia/ttft-limits';
import { createEndpointGates } from './endpoint-gates.ts';
import { drainGenerate as drain, inferenceTestClient, sseFrame } from '@sophia/openai-upstream/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only: the simulator is the mesh's stand-in upstream
import { createUpstreamSimulator, type UpstreamSimulator } from '@sophia/upstream-sim';
import { createEndpointPool, type EndpointPool } from './endpoint-pool.ts';
import { createGpuInferenceHandler, type GpuInferenceDeps } from './gpu-inference-handler.ts';
import { createFakeVllm, type FakeVllm } from './testing/fake-vllm.ts';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const messages = [{ role: Role.USER, content: 'Count to five.' }];

function clientFor(deps: GpuInferenceDeps): Client<typeof InferenceService> {
  return inferenceTestClient(createGpuInferenceHandler(deps));
}

afterAll(() => closeUpstreamDispatchers());

describe('GPU InferenceService with scripted vLLM endpoints', () => {
  const fakes: FakeVllm[] = [];
  let pool: EndpointPool | undefined;
  const setup = async (...inits: Parameters<typeof createFakeVllm>[0][]) => {
    for (const init of inits) fakes.push(await createFakeVllm({ models: [MODEL], ...init }));
    pool = createEndpointPool({ urls: fakes.map((f) => f.url) });
    await pool.refresh();
    return { pool, client: clientFor({ pool }) };
  };
  afterEach(async () => {
    pool?.stop();
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });

  it('streams from the least-loaded endpoint and names it in done', async () => {
    const { client } = await setup({ running: 3 }, { running: 1 });
    const out = await drain(client.generate({ model: MODEL, messages }));
    expect(out.error).toBeUndefined();
    expect(out.text).toBe(`from ${fakes[1]!.url}`);
    expect(out.done).toMatchObject({ endpoint: fakes[1]!.url, upstreamModel: MODEL, finishReason: 'stop' });
    expect(fakes.map((f) => f.chatRequests())).toEqual([0, 1]);
  });

  it('fails Unavailable at once, without an upstream call, when no endpoint is healthy', async () => {
    const { client } = await setup({ healthy: false });
    const out = await drain(client.generate({ model: MODEL, messages }));
    expect(out.error?.code).toBe(Code.Unavailable);
    expect(out.error?.rawMessage).toMatch(new RegExp(`^no healthy GPU endpoint for model ${MODEL} \\(1 endpoints: http://127\\.0\\.0\\.1:\\d+ unhealthy`));
    expect(fakes[0]!.chatRequests()).toBe(0);
  });

  it('marks an endpoint that fails a request suspect and sends the next request elsewhere', async () => {
    const { client, pool } = await setup({ chatStatus: 503 }, { running: 5 });
    const failed = await drain(client.generate({ model: MODEL, messages }));
    expect([failed.error?.code, failed.error?.metadata.get(FAILURE_KIND_HEADER)]).toEqual([Code.Unavailable, 'http-5xx']);
    expect(pool.snapshot()[0]).toMatchObject({ suspect: true, inFlight: 0 });
    const next = await drain(client.generate({ model: MODEL, messages }));
    expect(next.done).toMatchObject({ endpoint: fakes[1]!.url });
  });

  it('does not blame the endpoint for client errors or cancellation', async () => {
    const { client, pool } = await setup({ chatStatus: 400 });
    const out = await drain(client.generate({ model: MODEL, messages }));
    expect(out.error?.code).toBe(Code.InvalidArgument);
    expect(pool.snapshot()[0]).toMatchObject({ suspect: false, inFlight: 0 });
  });

  it('frees the lease without blaming the endpoint when the client cancels', async () => {
    const { client, pool } = await setup({});
    fakes[0]!.server.route('POST /v1/chat/completions', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame({ choices: [{ index: 0, delta: { content: 'partial' } }] }));
    });
    const controller = new AbortController();
    const out = await drain(
      (async function* () {
        for await (const res of client.generate({ model: MODEL, messages }, { signal: controller.signal })) {
          yield res;
          controller.abort();
        }
      })(),
    );
    expect([out.text, out.error?.code]).toEqual(['partial', Code.Canceled]);
    await fakes[0]!.server.requests.at(-1)!.closed;
    while (pool.snapshot()[0]!.inFlight !== 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(pool.snapshot()[0]).toMatchObject({ suspect: false, inFlight: 0 });
  });

  it('refuses a model the map does not serve, and validates before picking', async () => {
    const { pool } = await setup({});
    const client = clientFor({ pool, modelMap: (id) => (id === MODEL ? MODEL : undefined) });
    expect((await drain(client.generate({ model: 'x/y', messages }))).error?.code).toBe(Code.NotFound);
    expect((await drain(client.generate({ model: MODEL, messages: [] }))).error?.code).toBe(Code.InvalidArgument);
    expect(pool.snapshot()[0]!.inFlight).toBe(0);
  });

  it('lists models of healthy endpoints and reports per-endpoint capacity with totals', async () => {
    const { client } = await setup({ models: [MODEL, 'b'], running: 2, waiting: 1, kv: 0.5 }, { models: [MODEL], running: 4 }, { healthy: false, models: ['c'] });
    const listed = await client.listModels({});
    expect(listed.models.map((m) => [m.id, m.backend, m.endpoints])).toEqual([
      ['b', Backend.GPU, [fakes[0]!.url]],
      [MODEL, Backend.GPU, [fakes[0]!.url, fakes[1]!.url]],
    ]);
    const capacity = await client.getCapacity({});
    expect(capacity).toMatchObject({ backend: Backend.GPU, healthyEndpoints: 2, totalRunning: 6, totalWaiting: 1 });
    expect(capacity.endpoints[0]).toMatchObject({ endpoint: fakes[0]!.url, healthy: true, requestsRunning: 2, requestsWaiting: 1, kvCacheUsage: 0.5, lastError: '' });
    expect(capacity.endpoints[2]).toMatchObject({ healthy: false });
    expect(capacity.endpoints[2]!.lastError).toContain('HTTP 503');
  });
});

describe('GPU InferenceService against simulated vLLM servers', () => {
  let sims: UpstreamSimulator[] = [];
  let pool: EndpointPool;
  beforeAll(async () => {
    sims = [
      await createUpstreamSimulator({ persona: 'vllm', models: [MODEL], interTokenMs: 5, defaultOutputTokens: 40 }),
      await createUpstreamSimulator({ persona: 'vllm', models: [MODEL], interTokenMs: 5, defaultOutputTokens: 40 }),
    ];
    pool = createEndpointPool({ urls: sims.map((s) => s.url) });
    await pool.refresh();
  });
  afterAll(async () => {
    pool.stop();
    await Promise.all(sims.map((s) => s.close()));
  });

  it('sees its own running request in the next /metrics scrape and routes around it', async () => {
    const client = clientFor({ pool });
    const iterator = client.generate({ model: MODEL, messages })[Symbol.asyncIterator]();
    const first = await iterator.next(); // streaming from one simulator now
    expect(first.value?.event.case).toBe('delta');
    const busyIndex = pool.snapshot().findIndex((e) => e.inFlight === 1);
    await pool.refresh();
    const snap = pool.snapshot();
    expect(snap[busyIndex]).toMatchObject({ running: 1, inFlight: 1, inFlightSinceScrape: 0 });
    const other = await drain(client.generate({ model: MODEL, messages }));
    expect(other.done).toMatchObject({ endpoint: sims[1 - busyIndex]!.url });
    expect(other.done && 'usage' in other.done ? other.done.usage?.completionTokens : 0).toBe(40);
    let last = first;
    while (!last.done) last = await iterator.next();
    expect(pool.snapshot()[busyIndex]).toMatchObject({ inFlight: 0, suspect: false });
  });

  it('holds each endpoint to its in-flight limit: a full queue answers RESOURCE_EXHAUSTED with retry-after, a queued request is served when a slot frees', async () => {
    const one = createEndpointPool({ urls: [sims[0]!.url] });
    await one.refresh();
    try {
      const gates = createEndpointGates({ maxInFlight: 5, queueLimit: 1, perEndpoint: new Map([[sims[0]!.url, 1]]) });
      const client = clientFor({ pool: one, gates });
      const running = client.generate({ model: MODEL, messages })[Symbol.asyncIterator]();
      expect((await running.next()).value?.event.case).toBe('delta'); // holds the endpoint's one slot
      const queued = drain(client.generate({ model: MODEL, messages }));
      while (gates.gate(sims[0]!.url).depth() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const refused = await drain(client.generate({ model: MODEL, messages }));
      expect([refused.error?.code, refused.error?.metadata.get(RETRY_AFTER_HEADER)]).toEqual([Code.ResourceExhausted, expect.stringMatching(/^\d+$/)]);
      expect(refused.error?.rawMessage).toContain(`gpu endpoint ${sims[0]!.url} is busy`);
      let step = await running.next();
      while (!step.done) step = await running.next();
      expect((await queued).done).toMatchObject({ endpoint: sims[0]!.url });
      expect(gates.gate(sims[0]!.url).inFlight()).toBe(0);
    } finally {
      one.stop();
    }
  });

  it('learns each endpoint\'s first-token timeout: a silent endpoint fails at 4 × its own p99, not at the configured maximum', async () => {
    const one = createEndpointPool({ urls: [sims[1]!.url] });
    await one.refresh();
    try {
      const ttft = createTtftLimits({ minMs: 100, maxMs: 120_000, minSamples: 5 });
      const client = clientFor({ pool: one, ttft, timeouts: { firstTokenMs: 120_000 } });
      for (let i = 0; i < 5; i++) expect((await drain(client.generate({ model: MODEL, messages }))).error).toBeUndefined();
      const learned = ttft.limitMs(sims[1]!.url);
      expect(learned).toBeLessThan(120_000);
      sims[1]!.setFault({ kind: 'silent' });
      const out = await drain(client.generate({ model: MODEL, messages }));
      expect([out.error?.code, out.error?.metadata.get(FAILURE_KIND_HEADER)]).toEqual([Code.Unavailable, 'ttft-timeout']);
      expect(Number(/no first token within (\d+) ms/.exec(out.error?.rawMessage ?? '')?.[1])).toBe(learned);
    } finally {
      sims[1]!.setFault(undefined);
      one.stop();
    }
  });

  it('maps a simulated mid-stream stall to Unavailable and marks the endpoint suspect', async () => {
    sims[1]!.setFault({ kind: 'stall-mid-stream', afterTokens: 2 });
    sims[0]!.setFault({ kind: 'stall-mid-stream', afterTokens: 2 });
    try {
      const client = clientFor({ pool, timeouts: { stallMs: 50 } });
      const out = await drain(client.generate({ model: MODEL, messages }));
      expect([out.error?.code, out.error?.metadata.get(FAILURE_KIND_HEADER)]).toEqual([Code.Unavailable, 'stall-timeout']);
      expect(out.text.length).toBeGreaterThan(0);
      expect(pool.snapshot().filter((e) => e.suspect)).toHaveLength(1);
    } finally {
      sims.forEach((s) => s.setFault(undefined));
      await pool.refresh();
    }
  });
});

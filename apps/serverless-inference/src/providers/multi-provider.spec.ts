import { Code, ConnectError, createClient, createRouterTransport, type Client } from '@connectrpc/connect';
import { ProviderSort, Role } from '@sophia/contracts/common';
import { InferenceService, type GenerateResponse } from '@sophia/contracts/inference';
import { closeUpstreamDispatchers, RETRY_AFTER_HEADER } from '@sophia/openai-upstream';
import { parseCatalog } from '@sophia/price-catalog';
import { testCatalog, testCatalogFile } from '@sophia/price-catalog/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only: the simulator is the mesh's stand-in upstream
import { createUpstreamSimulator, type UpstreamSimulator } from '@sophia/upstream-sim';
import { Registry } from 'prom-client';
import { createServerlessInferenceHandler, DEFAULT_CONCURRENCY } from '../serverless-inference-handler.ts';
import type { ProviderSettings } from './provider-settings.ts';

// The test catalog's model "small" is offered by together ($0.02/$0.04 per M: the cheaper) and
// fireworks ($0.10/$0.10). Two simulators play them.
const messages = [{ role: Role.USER, content: 'Name three colours.' }];

async function drain(stream: AsyncIterable<GenerateResponse>) {
  const out: { text: string; endpoint?: string; upstreamModel?: string; error?: ConnectError } = { text: '' };
  try {
    for await (const res of stream) {
      if (res.event.case === 'delta') out.text += res.event.value.text;
      if (res.event.case === 'done') Object.assign(out, { endpoint: res.event.value.endpoint, upstreamModel: res.event.value.upstreamModel });
    }
  } catch (err) {
    out.error = ConnectError.from(err);
  }
  return out;
}

describe('serverless InferenceService over two providers', () => {
  let cheap: UpstreamSimulator;
  let pricey: UpstreamSimulator;
  let client: Client<typeof InferenceService>;
  let registry: Registry;
  const settings = (name: string, sim: UpstreamSimulator, extra: Partial<ProviderSettings> = {}): ProviderSettings => ({
    name,
    baseUrl: `${sim.url}/v1`,
    apiKey: `sk-${name}`,
    http2: false,
    ...DEFAULT_CONCURRENCY,
    ...extra,
  });
  const make = (extra: Partial<ProviderSettings> = {}) => {
    registry = new Registry();
    const handler = createServerlessInferenceHandler({
      providers: [settings('together', cheap, extra), settings('fireworks', pricey)],
      catalog: testCatalog,
      failoverFirstTokenMs: 2000, // generous: a cold first call on a busy machine must not look silent
      timeouts: { firstTokenMs: 5000 },
      breaker: { resetTimeoutMs: 60_000 },
      registry,
    });
    client = createClient(InferenceService, createRouterTransport(({ service }) => service(InferenceService, handler)));
  };

  beforeAll(async () => {
    cheap = await createUpstreamSimulator({ persona: 'serverless', apiKey: 'sk-together', defaultOutputTokens: 4 });
    pricey = await createUpstreamSimulator({ persona: 'serverless', apiKey: 'sk-fireworks', defaultOutputTokens: 4 });
  });
  afterAll(async () => {
    await closeUpstreamDispatchers();
    await Promise.all([cheap.close(), pricey.close()]);
  });
  beforeEach(() => make());
  afterEach(() => {
    cheap.setFault(undefined);
    pricey.setFault(undefined);
  });

  it('sends every request to the cheaper provider while it is healthy, with its own model name', async () => {
    const before = [cheap.stats().requests, pricey.stats().requests];
    const outs = await Promise.all(Array.from({ length: 5 }, () => drain(client.generate({ model: 'small', messages }))));
    expect(outs.map((o) => [o.endpoint, o.error])).toEqual(Array.from({ length: 5 }, () => ['together', undefined]));
    expect([cheap.stats().requests - before[0]!, pricey.stats().requests - before[1]!]).toEqual([5, 0]);
    expect(outs[0]!.upstreamModel).toBe('small-turbo'); // the simulator answers as the model it was asked for
  });

  it.each([
    ['answers 500', { kind: 'status', code: 500 } as const],
    ['refuses (reset before the first byte)', { kind: 'reset-before-first-byte' } as const],
    ['goes silent', { kind: 'silent' } as const],
    ['rate-limits', { kind: 'rate-limit', retryAfterSeconds: 30 } as const],
  ])('fails over to the other provider before the first token when the cheaper one %s', async (_what, fault) => {
    cheap.setFault(fault);
    const out = await drain(client.generate({ model: 'small', messages }));
    expect([out.endpoint, out.error, out.text.length > 0]).toEqual(['fireworks', undefined, true]);
  });

  it('respects a 429 retry-after: the provider is skipped until it passes', async () => {
    cheap.setFault({ kind: 'rate-limit', retryAfterSeconds: 30 });
    await drain(client.generate({ model: 'small', messages }));
    cheap.setFault(undefined);
    const tried = cheap.stats().requests;
    expect((await drain(client.generate({ model: 'small', messages }))).endpoint).toBe('fireworks');
    expect(cheap.stats().requests).toBe(tried);
  });

  it('opens the cheaper provider’s breaker after repeated failures and stops calling it', async () => {
    cheap.setFault({ kind: 'status', code: 503 });
    for (let i = 0; i < 3; i++) expect((await drain(client.generate({ model: 'small', messages }))).endpoint).toBe('fireworks');
    const tried = cheap.stats().requests;
    expect((await drain(client.generate({ model: 'small', messages }))).endpoint).toBe('fireworks');
    expect(cheap.stats().requests).toBe(tried);
    const capacity = await client.getCapacity({});
    expect(capacity.endpoints.map((e) => [e.endpoint, e.healthy])).toEqual([
      ['together', false],
      ['fireworks', true],
    ]);
    expect(await registry.getSingleMetricAsString('serverless_provider_breaker_open')).toContain('serverless_provider_breaker_open{provider="together"} 1');
  });

  it('answers UNAVAILABLE naming each provider’s failure when none is left (the router then moves to GPU)', async () => {
    cheap.setFault({ kind: 'status', code: 503 });
    pricey.setFault({ kind: 'status', code: 502 });
    const out = await drain(client.generate({ model: 'small', messages }));
    expect(out.error?.code).toBe(Code.Unavailable);
    expect(out.error?.rawMessage).toMatch(/together: .*503.*; fireworks: .*502/);
  });

  it('answers RESOURCE_EXHAUSTED with the soonest retry-after when every provider rate-limits', async () => {
    cheap.setFault({ kind: 'rate-limit', retryAfterSeconds: 7 });
    pricey.setFault({ kind: 'rate-limit', retryAfterSeconds: 3 });
    const out = await drain(client.generate({ model: 'small', messages }));
    expect([out.error?.code, out.error?.metadata.get(RETRY_AFTER_HEADER)]).toEqual([Code.ResourceExhausted, '3000']);
  });

  it('treats a full in-flight queue as busy and moves on, visibly', async () => {
    make({ maxInFlight: 1, queueLimit: 0 });
    cheap.setFault({ kind: 'stall-before-first-token', ms: 100 });
    const outs = await Promise.all([drain(client.generate({ model: 'small', messages })), drain(client.generate({ model: 'small', messages }))]);
    expect(outs.map((o) => o.endpoint).sort()).toEqual(['fireworks', 'together']);
    expect(await registry.getSingleMetricAsString('serverless_provider_attempts_total')).toContain('provider="together",outcome="busy"} 1');
  });

  it('follows the request’s provider preferences and refuses bad ones naming the field', async () => {
    const ordered = await drain(client.generate({ model: 'small', messages, provider: { order: ['fireworks'] } }));
    expect(ordered.endpoint).toBe('fireworks');
    expect((await drain(client.generate({ model: 'small', messages, provider: { ignore: ['together'] } }))).endpoint).toBe('fireworks');
    expect((await drain(client.generate({ model: 'small', messages, provider: { only: ['fireworks'] } }))).endpoint).toBe('fireworks');
    expect((await drain(client.generate({ model: 'small', messages, provider: { sort: ProviderSort.LATENCY } }))).error).toBeUndefined();
    cheap.setFault({ kind: 'status', code: 503 });
    const noFallback = await drain(client.generate({ model: 'small', messages, provider: { allowFallbacks: false } }));
    expect(noFallback.error?.code).toBe(Code.Unavailable);
    cheap.setFault(undefined);
    const unknown = await drain(client.generate({ model: 'small', messages, provider: { only: ['fireworks', 'groq'] } }));
    expect([unknown.error?.code, unknown.error?.rawMessage]).toEqual([Code.InvalidArgument, expect.stringContaining('provider.only[1]: "groq" is not a configured provider')]);
    const tooCheap = await drain(client.generate({ model: 'small', messages, provider: { maxPrice: { prompt: 0.01 } } }));
    expect([tooCheap.error?.code, tooCheap.error?.rawMessage]).toEqual([Code.InvalidArgument, expect.stringContaining('provider.max_price: below every offer')]);
    const capped = await drain(client.generate({ model: 'small', messages, provider: { maxPrice: { prompt: 0.05 }, order: ['fireworks'] } }));
    expect(capped.endpoint).toBe('together');
    const negative = await drain(client.generate({ model: 'small', messages, provider: { maxPrice: { completion: -1 } } }));
    expect(negative.error?.rawMessage).toContain('provider.max_price.completion');
  });

  it('answers INVALID_ARGUMENT naming provider.only / provider.ignore when they leave no provider that can serve the request, and sends nothing upstream', async () => {
    const before = [cheap.stats().requests, pricey.stats().requests];
    // fireworks does not offer logprobs in the test catalog; together does.
    const onlyLacking = await drain(client.generate({ model: 'small', messages, params: { logprobs: true }, provider: { only: ['fireworks'] } }));
    expect([onlyLacking.error?.code, onlyLacking.error?.rawMessage]).toEqual([
      Code.InvalidArgument,
      expect.stringMatching(/^provider\.only: leaves no provider that can serve this request for model "small" \(.*fireworks: does not support logprobs.*\); able to serve it: together$/),
    ]);
    const ignoreAll = await drain(client.generate({ model: 'small', messages, provider: { ignore: ['together', 'fireworks'] } }));
    expect([ignoreAll.error?.code, ignoreAll.error?.rawMessage]).toEqual([Code.InvalidArgument, expect.stringContaining('provider.ignore: leaves no provider')]);
    expect([cheap.stats().requests - before[0]!, pricey.stats().requests - before[1]!]).toEqual([0, 0]);
    // With no preference in the way, the same request goes to the provider that can serve it.
    expect((await drain(client.generate({ model: 'small', messages, params: { logprobs: true } }))).endpoint).toBe('together');
  });

  describe('silence (the failover budget) versus a busy provider', () => {
    const quickClient = (budgetMs: number): Client<typeof InferenceService> => {
      const handler = createServerlessInferenceHandler({
        providers: [settings('together', cheap), settings('fireworks', pricey)],
        catalog: testCatalog,
        failoverFirstTokenMs: budgetMs,
        failoverFirstTokenMinMs: budgetMs,
        // First-token limits far beyond the test: only the silence watchdog can move a request.
        firstTokenMinMs: 60_000,
        timeouts: { firstTokenMs: 60_000 },
        breaker: { resetTimeoutMs: 60_000 },
      });
      return createClient(InferenceService, createRouterTransport(({ service }) => service(InferenceService, handler)));
    };
    const saying = (marker: string) => [{ role: Role.USER, content: `Name three colours. ${marker}` }];

    it('waits for a provider that started this answer but is slow to its first token (busy, as at a burst’s start)', async () => {
      // A budget the answer's start (headers at once) beats even on a loaded machine; a first token far past it.
      const quick = quickClient(1000);
      const out = await drain(quick.generate({ model: 'small', messages: saying('[[sim:ttft-ms=2500]]') }));
      expect([out.endpoint, out.error]).toEqual(['together', undefined]);
    });

    it('leaves a provider that went silent after answering others, although their first tokens came after this request started', async () => {
      const quick = quickClient(300);
      // Answered by the cheaper provider, its first token ~150 ms after the silent request below started.
      const before = cheap.stats().requests;
      const earlier = drain(quick.generate({ model: 'small', messages: saying('[[sim:ttft-ms=150]]') }));
      while (cheap.stats().requests === before) await new Promise((resolve) => setTimeout(resolve, 5));
      cheap.setFault({ kind: 'silent' });
      const silent = drain(quick.generate({ model: 'small', messages }, { timeoutMs: 20_000 }));
      expect((await earlier).endpoint).toBe('together');
      const out = await silent;
      expect([out.endpoint, out.error?.rawMessage]).toEqual(['fireworks', undefined]);
    });

    it('leaves a provider that lost this request while it answers requests sent later (recovering from silence, or dropping some)', async () => {
      const quick = quickClient(300);
      cheap.setFault({ kind: 'silent' });
      const before = cheap.stats().requests;
      const lost = drain(quick.generate({ model: 'small', messages }, { timeoutMs: 20_000 }));
      while (cheap.stats().requests === before) await new Promise((resolve) => setTimeout(resolve, 5));
      cheap.setFault(undefined); // answering again — but never this request
      let settled = false;
      void lost.then(() => (settled = true));
      while (!settled) expect((await drain(quick.generate({ model: 'small', messages }))).error).toBeUndefined();
      const out = await lost;
      expect([out.endpoint, out.error?.rawMessage]).toEqual(['fireworks', undefined]);
    });
  });

  it('past its learned first-token limit a request stays with a provider busy answering others (a burst), and leaves one answering nobody', async () => {
    const handler = createServerlessInferenceHandler({
      providers: [settings('together', cheap), settings('fireworks', pricey)],
      catalog: testCatalog,
      failoverFirstTokenMs: 60_000,
      firstTokenMinMs: 1000, // learned limit: 4 × p99 of milliseconds, so this floor once 20 answers are seen
      timeouts: { firstTokenMs: 60_000 }, // the configured cap, far beyond the test
      breaker: { resetTimeoutMs: 60_000 },
    });
    const learning = createClient(InferenceService, createRouterTransport(({ service }) => service(InferenceService, handler)));
    for (let i = 0; i < 25; i++) expect((await drain(learning.generate({ model: 'small', messages }))).endpoint).toBe('together');
    const slow = [{ role: Role.USER, content: 'Name three colours. [[sim:ttft-ms=3000]]' }];
    // Answering others all along: busy, so the slow request keeps waiting past its 1 s limit.
    let busy = true;
    const others = (async () => {
      while (busy) await drain(learning.generate({ model: 'small', messages }));
    })();
    const waited = await drain(learning.generate({ model: 'small', messages: slow }));
    busy = false;
    await others;
    expect([waited.endpoint, waited.error]).toEqual(['together', undefined]);
    // Alone: no first token for anyone past the limit, so the request moves on.
    expect((await drain(learning.generate({ model: 'small', messages: slow }))).endpoint).toBe('fireworks');
  });

  it('learns each provider\'s failover budget from its own first tokens, and leaves a silent one at that budget', async () => {
    registry = new Registry();
    const handler = createServerlessInferenceHandler({
      providers: [settings('together', cheap), settings('fireworks', pricey)],
      catalog: testCatalog,
      failoverFirstTokenMs: 60_000, // the configured maximum: what a cold provider gets
      failoverFirstTokenMinMs: 300,
      timeouts: { firstTokenMs: 60_000 },
      breaker: { resetTimeoutMs: 60_000 },
      registry,
    });
    const learning = createClient(InferenceService, createRouterTransport(({ service }) => service(InferenceService, handler)));
    const limit = async (kind: string): Promise<number> => {
      const metric = (await registry.getSingleMetric('serverless_provider_ttft_limit_seconds')!.get()).values;
      return metric.find((v) => v.labels['provider'] === 'together' && v.labels['kind'] === kind)!.value;
    };
    expect(await limit('failover')).toBe(60);
    for (let i = 0; i < 25; i++) expect((await drain(learning.generate({ model: 'small', messages }))).endpoint).toBe('together');
    // The simulator answers in milliseconds: 4 × p99 is far below the 300 ms floor.
    expect(await limit('failover')).toBe(0.3);
    cheap.setFault({ kind: 'silent' });
    const out = await drain(learning.generate({ model: 'small', messages }));
    expect(out.endpoint).toBe('fireworks');
    const attempts = (await registry.getSingleMetric('serverless_provider_attempts_total')!.get()).values;
    expect(attempts.find((v) => v.labels['provider'] === 'together' && v.labels['outcome'] === 'failed')?.value).toBe(1);
  });

  it('ranks by the request’s own token mix: the cheaper provider for its expected completion, not a fixed price order', async () => {
    // "small" re-priced so the order flips with the mix: together is cheap on input and dear on
    // output, fireworks the opposite (per million tokens).
    const file = testCatalogFile();
    const small = file.models.find((m) => m.id === 'small')!;
    small.offers = small.offers!.map((o) => (o.provider === 'together' ? { ...o, inputUsdPerMTok: 0.01, outputUsdPerMTok: 1 } : { ...o, inputUsdPerMTok: 0.5, outputUsdPerMTok: 0.1 }));
    const catalog = parseCatalog(file);
    const handler = createServerlessInferenceHandler({ providers: [settings('together', cheap), settings('fireworks', pricey)], catalog: () => catalog, timeouts: { firstTokenMs: 5000 } });
    const mixed = createClient(InferenceService, createRouterTransport(({ service }) => service(InferenceService, handler)));
    const longPrompt = [{ role: Role.USER, content: `Summarise in one word: ${'lorem ipsum '.repeat(400)}` }];
    // A long prompt with a one-token answer expected: input dominates, together is cheaper.
    expect((await drain(mixed.generate({ model: 'small', messages: longPrompt, expectedCompletionTokens: 1 }))).endpoint).toBe('together');
    // The same prompt where this tenant's workload writes ~4,000 tokens: output dominates, fireworks is cheaper.
    expect((await drain(mixed.generate({ model: 'small', messages: longPrompt, expectedCompletionTokens: 4000 }))).endpoint).toBe('fireworks');
    // max_tokens caps the expectation: at most 1 token will be produced, so together again.
    expect((await drain(mixed.generate({ model: 'small', messages: longPrompt, expectedCompletionTokens: 4000, params: { maxTokens: 1 } }))).endpoint).toBe('together');
  });

  it('prices the expected prompt-cache hits at each offer’s cached-input rate: a workload that resends its prompt goes where caching is cheap', async () => {
    // together: $0.10 input, no cache discount; fireworks: $0.50 input, $0.01 cached (per million tokens).
    const file = testCatalogFile();
    const small = file.models.find((m) => m.id === 'small')!;
    small.offers = small.offers!.map((o) =>
      o.provider === 'together' ? { ...o, inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.1 } : { ...o, inputUsdPerMTok: 0.5, cachedInputUsdPerMTok: 0.01, outputUsdPerMTok: 0.1 },
    );
    const catalog = parseCatalog(file);
    const handler = createServerlessInferenceHandler({ providers: [settings('together', cheap), settings('fireworks', pricey)], catalog: () => catalog, timeouts: { firstTokenMs: 5000 } });
    const cached = createClient(InferenceService, createRouterTransport(({ service }) => service(InferenceService, handler)));
    const longPrompt = [{ role: Role.USER, content: `Answer yes or no: ${'lorem ipsum '.repeat(400)}` }];
    expect((await drain(cached.generate({ model: 'small', messages: longPrompt, expectedCompletionTokens: 1 }))).endpoint).toBe('together');
    // This workload's recorded share of cached prompt tokens is 90 %: 0.1 × 0.5 + 0.9 × 0.01 < 0.1.
    expect((await drain(cached.generate({ model: 'small', messages: longPrompt, expectedCompletionTokens: 1, expectedCachedPromptShare: 0.9 }))).endpoint).toBe('fireworks');
  });

  it('answers NOT_FOUND for a model no configured provider offers', async () => {
    const out = await drain(client.generate({ model: 'mid', messages }));
    expect([out.error?.code, out.error?.rawMessage]).toEqual([Code.NotFound, expect.stringContaining('together, fireworks')]);
  });
});

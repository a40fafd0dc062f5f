import { Code, ConnectError, createClient, createRouterTransport, type Client, type ServiceImpl } from '@connectrpc/connect';
import { ClassifierService } from '@sophia/contracts/classifier';
import { Backend, Role, Tier } from '@sophia/contracts/common';
import { InferenceService } from '@sophia/contracts/inference';
import { LedgerService, type UsageEvent } from '@sophia/contracts/ledger';
import { OverrideKind, OverrideScope, RouterService, type GenerateResponse } from '@sophia/contracts/router';
import { loadCatalog, priceUsage, worstCase } from '@sophia/price-catalog';
import { budgetOutageRefusal, isBudgetOutageRefusal } from '@sophia/platform/wire';
import { pino } from 'pino';
import { createRouterHandler } from './router-handler.ts';
import { memoryOverrideStore } from './testing/fake-mesh.ts';
import { createTargetBreakers } from './target-breakers.ts';
import { collectGeneration } from './testing/collect-generation.ts';

type Behaviour = 'ok' | 'fail-before' | 'fail-mid' | 'invalid' | 'hang';

function fakeBackend(name: string, behaviour: () => Behaviour) {
  const seen = { calls: 0, aborted: 0, models: [] as string[] };
  const impl: Partial<ServiceImpl<typeof InferenceService>> = {
    async *generate(req, ctx) {
      seen.calls += 1;
      seen.models.push(req.model);
      ctx.signal.addEventListener('abort', () => (seen.aborted += 1));
      const b = behaviour();
      if (b === 'fail-before') throw new ConnectError(`${name} upstream 503`, Code.Unavailable);
      if (b === 'invalid') throw new ConnectError(`${name}: messages[0].content too long`, Code.InvalidArgument);
      yield { event: { case: 'delta', value: { text: `${name} says ` } } };
      yield { event: { case: 'delta', value: { text: 'hello' } } };
      if (b === 'fail-mid') throw new ConnectError(`${name} connection reset`, Code.Unavailable);
      if (b === 'hang') await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      yield { event: { case: 'done', value: { usage: { promptTokens: 10, completionTokens: 4, totalTokens: 14 }, finishReason: 'stop', endpoint: name } } };
    },
  };
  const client = createClient(InferenceService, createRouterTransport(({ service }) => service(InferenceService, impl)));
  return { client, seen };
}

function setup(options: { serverless?: () => Behaviour; gpu?: () => Behaviour; classifierTier?: Tier; classifierDown?: boolean; budgetMicroUsd?: number; ledgerDown?: boolean; ledgerRefuses?: boolean; budgetOutage?: 'serve' | 'refuse'; maxRescues?: number } = {}) {
  const catalog = loadCatalog();
  const serverless = fakeBackend('serverless', options.serverless ?? (() => 'ok'));
  const gpu = fakeBackend('gpu', options.gpu ?? (() => 'ok'));
  const ledgerEvents: UsageEvent[] = [];
  // A ledger double that enforces one budget like the real one: reserve the worst case, settle on
  // commit, free on release; `calls` records the order the router used them in.
  const calls: string[] = [];
  const held = new Map<string, number>();
  let spent = 0;
  const ledger = createClient(
    LedgerService,
    createRouterTransport(({ service }) =>
      service(LedgerService, {
        reserve(req) {
          if (options.ledgerDown) throw new ConnectError('ledger down', Code.Unavailable);
          if (options.ledgerRefuses) throw budgetOutageRefusal('budget store (Redis) unreachable: new requests are refused until it returns (SOPHIA_REDIS_OUTAGE=refuse)');
          calls.push(`reserve:${req.model}:${req.backend === Backend.GPU ? 'gpu' : 'serverless'}`);
          const backend = req.backend === Backend.GPU ? 'gpu' : 'serverless';
          const amount = worstCase(catalog, req.model, backend, req.promptTokens, req.maxTokens === 0 ? undefined : req.maxTokens);
          const used = spent + [...held.values()].reduce((a, b) => a + b, 0);
          if (options.budgetMicroUsd !== undefined && used + amount > options.budgetMicroUsd) {
            throw new ConnectError(`budget exceeded: tenant '${req.tenant}' daily budget`, Code.ResourceExhausted, { 'retry-after-ms': '3600000' });
          }
          held.set(req.requestId, amount);
          return { reservationId: req.requestId, worstCase: { microUsd: BigInt(amount) } };
        },
        release(req) {
          calls.push('release');
          return { released: held.delete(req.reservationId) };
        },
        commit(req) {
          if (options.ledgerDown) throw new ConnectError('ledger down', Code.Unavailable);
          calls.push('commit');
          held.delete(req.reservationId);
          ledgerEvents.push(req.event!);
          const e = req.event!;
          const backend = e.backend === Backend.GPU ? 'gpu' : 'serverless';
          const cost = priceUsage(catalog, e.model, backend, e.usage!);
          spent += cost;
          return { recorded: true, cost: { microUsd: BigInt(cost) } };
        },
      }),
    ),
  );
  const classifier = createClient(
    ClassifierService,
    createRouterTransport(({ service }) =>
      service(ClassifierService, {
        classify() {
          if (options.classifierDown) throw new ConnectError('down', Code.Unavailable);
          return { tier: options.classifierTier ?? Tier.SIMPLE, score: 0.2, promptTokens: 10, expectedOutputTokens: 50 };
        },
      }),
    ),
  );
  const breakers = createTargetBreakers({ volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 60_000, rollingWindowMs: 10_000 });
  const handler = createRouterHandler({
    catalog: () => catalog,
    classifier,
    ledger,
    ...(options.budgetOutage ? { budgetOutage: options.budgetOutage } : {}),
    backends: { serverless: serverless.client, gpu: gpu.client },
    breakers,
    logger: pino({ level: 'silent' }),
    overrides: memoryOverrideStore(),
    ...(options.maxRescues === undefined ? {} : { maxRescues: options.maxRescues }),
  });
  const router: Client<typeof RouterService> = createClient(RouterService, createRouterTransport(({ service }) => service(RouterService, handler)));
  return { router, serverless, gpu, ledgerEvents, breakers, catalog, ledgerCalls: calls, held };
}

const input = (extra: Record<string, unknown> = {}) => ({
  input: { requestId: `r-${Math.random()}`, tenant: 'acme', messages: [{ role: Role.USER, content: 'What is 2+2?' }], ...extra },
});

const text = (events: GenerateResponse['event'][]) => events.filter((e) => e.case === 'delta').map((e) => e.value).join('');

describe('router Generate', () => {
  it('streams decision, deltas and a priced done from serverless first, and records usage', async () => {
    const s = setup();
    const { events, error } = await collectGeneration(s.router.generate(input()));
    expect(error).toBeUndefined();
    expect(events[0]?.case).toBe('decision');
    expect(text(events)).toBe('serverless says hello');
    const done = events.at(-1);
    expect(done?.case).toBe('done');
    if (done?.case !== 'done') throw new Error('no done');
    expect(done.value.decision?.backend).toBe(Backend.SERVERLESS);
    expect(done.value.decision?.fallback).toBe(false);
    const model = done.value.decision!.model;
    expect(done.value.decision?.cost?.microUsd).toBe(BigInt(priceUsage(s.catalog, model, 'serverless', { promptTokens: 10, completionTokens: 4 })));
    expect(s.ledgerEvents).toHaveLength(1);
    expect(s.ledgerEvents[0]).toMatchObject({ tenant: 'acme', completed: true, model });
    expect(s.gpu.seen.calls).toBe(0);
  });

  it('falls back to GPU when serverless fails before the first token', async () => {
    const s = setup({ serverless: () => 'fail-before' });
    const { events, error } = await collectGeneration(s.router.generate(input()));
    expect(error).toBeUndefined();
    expect(text(events)).toBe('gpu says hello');
    const done = events.at(-1);
    if (done?.case !== 'done') throw new Error('no done');
    expect(done.value.decision).toMatchObject({ backend: Backend.GPU, fallback: true, attempts: 2 });
    expect(done.value.decision?.reasons.some((r) => r.startsWith('fallback:gpu:'))).toBe(true);
  });

  it('does not retry or count client errors', async () => {
    const s = setup({ serverless: () => 'invalid' });
    for (let i = 0; i < 5; i++) {
      const { error } = await collectGeneration(s.router.generate(input()));
      expect(error?.code).toBe(Code.InvalidArgument);
    }
    expect(s.gpu.seen.calls).toBe(0);
    expect(Object.values(s.breakers.states())).toEqual(['closed']);
  });

  it('with rescues off, ends a stream broken after the first token with an explicit error and bills the partial tokens', async () => {
    const s = setup({ serverless: () => 'fail-mid', maxRescues: 0 });
    const { events, error } = await collectGeneration(s.router.generate(input()));
    expect(text(events)).toBe('serverless says hello');
    expect(events.some((e) => e.case === 'done')).toBe(false);
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.rawMessage).toMatch(/after the first token/);
    expect(s.gpu.seen.calls).toBe(0);
    expect(s.ledgerEvents).toHaveLength(1);
    expect(s.ledgerEvents[0]?.completed).toBe(false);
    expect(s.ledgerEvents[0]?.usage?.completionTokens).toBeGreaterThan(0);
  });

  it('by default (one rescue, the config schema default) continues a stream broken after the first token on the next target', async () => {
    const s = setup({ serverless: () => 'fail-mid' });
    const { events, error } = await collectGeneration(s.router.generate(input()));
    expect(error).toBeUndefined();
    expect(text(events)).toBe('serverless says hellogpu says hello');
    expect(s.ledgerEvents.map((e) => e.completed)).toEqual([false, true]);
  });

  it('answers UNAVAILABLE naming every target when all fail', async () => {
    const s = setup({ serverless: () => 'fail-before', gpu: () => 'fail-before' });
    const { error } = await collectGeneration(s.router.generate(input()));
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.rawMessage).toMatch(/serverless:.*gpu:/s);
  });

  it('opens the serverless breaker after 3 failures and then skips it without calling it', async () => {
    const s = setup({ serverless: () => 'fail-before' });
    for (let i = 0; i < 3; i++) await collectGeneration(s.router.generate(input()));
    const callsBefore = s.serverless.seen.calls;
    expect(callsBefore).toBe(3);
    const { events, error } = await collectGeneration(s.router.generate(input()));
    expect(error).toBeUndefined();
    expect(s.serverless.seen.calls).toBe(callsBefore);
    const decision = events[0];
    if (decision?.case !== 'decision') throw new Error('no decision');
    expect(decision.value.backend).toBe(Backend.GPU);
    expect(decision.value.reasons.some((r) => r.startsWith('breaker_open:serverless:'))).toBe(true);
  });

  it('aborts the upstream call when the client cancels, and still bills what was generated', async () => {
    const s = setup({ serverless: () => 'hang' });
    const ac = new AbortController();
    const seen: string[] = [];
    const run = (async () => {
      for await (const m of s.router.generate(input(), { signal: ac.signal })) {
        if (m.event.case === 'delta') {
          seen.push(m.event.value);
          if (seen.length === 2) ac.abort();
        }
      }
    })().catch((e: unknown) => ConnectError.from(e));
    const err = await run;
    expect(err?.code).toBe(Code.Canceled);
    for (let i = 0; i < 50 && s.ledgerEvents.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.serverless.seen.aborted).toBe(1);
    expect(s.ledgerEvents[0]?.completed).toBe(false);
  });

  it('routes on the default tier when the classifier is down', async () => {
    const s = setup({ classifierDown: true });
    const { events } = await collectGeneration(s.router.generate(input()));
    const d = events[0];
    if (d?.case !== 'decision') throw new Error('no decision');
    expect(d.value.tier).toBe(Tier.BALANCED);
    expect(d.value.reasons).toContain('classifier_unavailable:default_balanced');
  });

  it('counts special-token text in a prompt as text (explicit model and classifier-down paths count locally)', async () => {
    const messages = [{ role: Role.USER, content: 'Why does my tokenizer fail on <|endoftext|>?' }];
    const explicit = setup();
    const model = explicit.catalog.modelsForTier('simple')[0]!.id;
    const named = await collectGeneration(explicit.router.generate(input({ messages, model })));
    expect(named.error).toBeUndefined();
    expect(explicit.ledgerCalls).toEqual([`reserve:${model}:serverless`, 'commit']);
    const blind = setup({ classifierDown: true });
    const auto = await collectGeneration(blind.router.generate(input({ messages })));
    expect(auto.error).toBeUndefined();
    expect(auto.events.at(-1)?.case).toBe('done');
  });

  it('rejects bad input and unknown models with precise codes', async () => {
    const s = setup();
    expect((await collectGeneration(s.router.generate(input({ messages: [] })))).error).toMatchObject({ code: Code.InvalidArgument, rawMessage: 'input.messages: must not be empty' });
    expect((await collectGeneration(s.router.generate(input({ tenant: '' })))).error?.code).toBe(Code.InvalidArgument);
    const unknown = await collectGeneration(s.router.generate(input({ model: 'gpt-9' })));
    expect(unknown.error?.code).toBe(Code.NotFound);
    expect(unknown.error?.rawMessage).toMatch(/gpt-9/);
  });
});

describe('router budgets (ledger Reserve → Commit / Release)', () => {
  it('reserves the worst case before the upstream call and commits the real usage after it', async () => {
    const s = setup();
    const { error } = await collectGeneration(s.router.generate(input({ params: { maxTokens: 100 } })));
    expect(error).toBeUndefined();
    expect(s.ledgerCalls).toEqual([expect.stringMatching(/^reserve:.*:serverless$/), 'commit']);
    expect(s.held.size).toBe(0);
  });

  it('releases a failed target before reserving the fallback', async () => {
    const s = setup({ serverless: () => 'fail-before' });
    const { error } = await collectGeneration(s.router.generate(input()));
    expect(error).toBeUndefined();
    expect(s.ledgerCalls).toEqual([expect.stringMatching(/:serverless$/), 'release', expect.stringMatching(/:gpu$/), 'commit']);
    expect(s.held.size).toBe(0);
  });

  it('answers RESOURCE_EXHAUSTED with the ledger message and never calls an upstream when over budget', async () => {
    const s = setup({ budgetMicroUsd: 1 });
    const { events, error } = await collectGeneration(s.router.generate(input()));
    expect(error?.code).toBe(Code.ResourceExhausted);
    expect(error?.rawMessage).toMatch(/budget exceeded: tenant 'acme'/);
    expect(error?.metadata.get('retry-after-ms')).toBe('3600000');
    expect(events.some((e) => e.case === 'delta')).toBe(false);
    expect(s.serverless.seen.calls + s.gpu.seen.calls).toBe(0);
  });

  it('gives a counted override its use back when the request is refused before any backend call', async () => {
    const s = setup({ budgetMicroUsd: 0 });
    await s.router.setOverride({
      override: { kind: OverrideKind.BACKEND, scope: OverrideScope.GLOBAL, backend: Backend.GPU, remaining: 3, createdBy: 'ops', reason: 'next 3 to GPU' },
    });
    for (let i = 0; i < 3; i++) expect((await collectGeneration(s.router.generate(input()))).error?.code).toBe(Code.ResourceExhausted);
    expect(s.gpu.seen.calls).toBe(0);
    expect((await s.router.listOverrides({})).overrides.map((o) => o.remaining)).toEqual([3]);
  });

  it("refuses without calling a backend when the ledger says budgets cannot be checked (SOPHIA_REDIS_OUTAGE=refuse), and passes the refusal on", async () => {
    const s = setup({ ledgerRefuses: true });
    const { error } = await collectGeneration(s.router.generate(input()));
    expect(error?.code).toBe(Code.Unavailable);
    expect(isBudgetOutageRefusal(error)).toBe(true);
    expect(s.serverless.seen.calls + s.gpu.seen.calls).toBe(0);
  });

  it('refuses when the ledger does not answer and the deployment refuses unbudgeted requests (SOPHIA_REDIS_OUTAGE=refuse)', async () => {
    const s = setup({ ledgerDown: true, budgetOutage: 'refuse' });
    const { error } = await collectGeneration(s.router.generate(input()));
    expect(isBudgetOutageRefusal(error)).toBe(true);
    expect(error?.message).toContain('the ledger did not answer the reservation');
    expect(s.serverless.seen.calls + s.gpu.seen.calls).toBe(0);
  });

  it('keeps serving when the ledger is unreachable (unreserved, logged)', async () => {
    const s = setup({ ledgerDown: true });
    const { events, error } = await collectGeneration(s.router.generate(input()));
    expect(error).toBeUndefined();
    expect(text(events)).toBe('serverless says hello');
  });
});

describe('router Explain and ListModels', () => {
  it('explains without calling any model', async () => {
    const s = setup({ classifierTier: Tier.COMPLEX });
    const res = await s.router.explain(input());
    expect(res.decision?.tier).toBe(Tier.COMPLEX);
    expect(res.plan[0]).toMatch(/^serverless:/);
    expect(res.decision?.worstCaseCost?.microUsd).toBeGreaterThan(0n);
    expect(res.decision?.estimatedCost).toEqual(res.decision?.worstCaseCost);
    expect(s.serverless.seen.calls + s.gpu.seen.calls).toBe(0);
  });
  it('lists catalog models with their backends', async () => {
    const s = setup();
    const res = await s.router.listModels({});
    expect(res.models.length).toBe(s.catalog.models.length);
    expect(res.models.every((m) => m.backends.length > 0)).toBe(true);
  });
});

import { Code, ConnectError, createClient, createRouterTransport, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import { ClassifierService } from '@sophia/contracts/classifier';
import { Backend, Role, Tier } from '@sophia/contracts/common';
import { InferenceService } from '@sophia/contracts/inference';
import { LedgerService, type UsageEvent } from '@sophia/contracts/ledger';
import { RouterService } from '@sophia/contracts/router';
import { firstTokenBoundOf } from '@sophia/platform/wire';
import { loadCatalog } from '@sophia/price-catalog';
import { createTtftLimits, type TtftLimits } from '@sophia/ttft-limits';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createRetryBudget } from './retry-budget.ts';
import { createRouterHandler, type RouterDeps } from './router-handler.ts';
import { createRouterMetrics } from './router-metrics.ts';
import { createTargetBreakers } from './target-breakers.ts';
import { collectGeneration } from './testing/collect-generation.ts';
import { memoryOverrideStore } from './testing/fake-mesh.ts';

/** A backend that answers at once, or stays silent until `release()` (honouring cancellation), as told. */
function gatedBackend(name: string) {
  const seen = { calls: 0, cancelled: 0, requestIds: [] as string[], expectedCompletionTokens: [] as number[], expectedCachedPromptShares: [] as number[] };
  let silent = false;
  let open: () => void = () => undefined;
  let gate = Promise.resolve();
  const impl: Partial<ServiceImpl<typeof InferenceService>> = {
    async *generate(req, ctx: HandlerContext) {
      seen.calls += 1;
      seen.requestIds.push(req.requestId);
      seen.expectedCompletionTokens.push(req.expectedCompletionTokens);
      seen.expectedCachedPromptShares.push(req.expectedCachedPromptShare);
      if (silent) {
        const aborted = new Promise<never>((_, reject) => {
          const fail = () => {
            seen.cancelled += 1;
            reject(new ConnectError('cancelled', Code.Canceled));
          };
          if (ctx.signal.aborted) fail();
          else ctx.signal.addEventListener('abort', fail, { once: true });
        });
        await Promise.race([gate, aborted]);
      }
      yield { event: { case: 'delta', value: { text: `${name} says hello` } } };
      yield { event: { case: 'done', value: { usage: { promptTokens: 10, completionTokens: 4, totalTokens: 14 }, finishReason: 'stop', endpoint: name } } };
    },
  };
  return {
    client: createClient(InferenceService, createRouterTransport(({ service }) => service(InferenceService, impl))),
    seen,
    /** From now on every call waits for `release()`. */
    silence() {
      silent = true;
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    release: () => open(),
    /** New calls answer at once again (calls already waiting keep waiting). */
    speak() {
      silent = false;
    },
  };
}

function setup(extra: Partial<RouterDeps> = {}) {
  const catalog = loadCatalog();
  const s = gatedBackend('serverless');
  const g = gatedBackend('gpu');
  const commits: UsageEvent[] = [];
  const released: string[] = [];
  const ledger = createClient(
    LedgerService,
    createRouterTransport(({ service }) =>
      service(LedgerService, {
        commit(req) {
          commits.push(req.event!);
          return { recorded: true, cost: { microUsd: 1n } };
        },
        reserve: (req) => ({ reservationId: req.requestId }),
        release(req) {
          released.push(req.reservationId);
          return { released: true };
        },
      }),
    ),
  );
  const classifier = createClient(ClassifierService, createRouterTransport(({ service }) => service(ClassifierService, { classify: () => ({ tier: Tier.SIMPLE, score: 0.2, promptTokens: 10 }) })));
  const registry = new Registry();
  const handler = createRouterHandler({
    catalog: () => catalog,
    classifier,
    ledger,
    backends: { serverless: s.client, gpu: g.client },
    breakers: createTargetBreakers({ volumeThreshold: 100, errorThresholdPercentage: 50, resetTimeoutMs: 60_000, rollingWindowMs: 10_000 }),
    logger: pino({ level: 'silent' }),
    overrides: memoryOverrideStore(),
    metrics: createRouterMetrics(registry),
    ...extra,
  });
  const router = createClient(RouterService, createRouterTransport(({ service }) => service(RouterService, handler)));
  const hedges = async (outcome: string): Promise<number> =>
    (await registry.getSingleMetric('router_hedges_total')!.get()).values.find((v) => v.labels['outcome'] === outcome)?.value ?? 0;
  return { router, s, g, commits, released, hedges };
}

const collect = collectGeneration;
const input = (requestId: string) => ({ input: { requestId, tenant: 'acme', messages: [{ role: Role.USER, content: 'What is 2+2?' }] } });
/** Waits for something that happens in the background (a loser's bill); gives up after 5 s so a failure cannot hang the suite. */
const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!cond()) throw new Error('condition not reached');
};
/** Learns quickly: three answers make a target warm, hedges after 30 ms. */
const quickLimits = (): TtftLimits => createTtftLimits({ minMs: 30, maxMs: 60_000, hedgeMinMs: 30, minSamples: 3 });
const warm = async (router: ReturnType<typeof setup>['router']): Promise<void> => {
  for (let i = 0; i < 3; i++) expect((await collect(router.generate(input(`warm-${i}`)))).error).toBeUndefined();
};

describe('token mix', () => {
  it('tells the serverless backend the completion tokens its tenant×workload really produces (0 while unknown), so providers are ranked by this request’s mix', async () => {
    const supportBot = (tenant: string, workload: string): boolean => tenant === 'acme' && workload === 'support-bot';
    const t = setup({
      tokenMix: {
        expectedCompletionTokens: (tenant, workload) => (supportBot(tenant, workload) ? 42 : undefined),
        expectedCachedPromptShare: (tenant, workload) => (supportBot(tenant, workload) ? 0.75 : undefined),
      },
    });
    const tagged = { input: { ...input('tagged').input, workloadTag: 'support-bot' } };
    expect((await collect(t.router.generate(tagged))).error).toBeUndefined();
    expect((await collect(t.router.generate(input('untagged')))).error).toBeUndefined();
    expect(t.s.seen.expectedCompletionTokens).toEqual([42, 0]);
    expect(t.s.seen.expectedCachedPromptShares).toEqual([0.75, 0]);
  });
});

describe('first-token bound', () => {
  it('both backends silent: DEADLINE_EXCEEDED naming each target, every attempt cancelled and its reservation released', async () => {
    const t = setup({ firstTokenBoundMs: 300 });
    t.s.silence();
    t.g.silence();
    const out = await collect(t.router.generate(input('silent')));
    expect(out.error?.code).toBe(Code.DeadlineExceeded);
    expect(out.error?.rawMessage).toMatch(/^no backend produced a first token within 300 ms: /);
    expect(firstTokenBoundOf(out.error)).toBe(300); // the marker the gateway words its 504 from
    expect(out.error?.rawMessage).toMatch(/serverless:[^;]*no first token after \d+ ms/);
    expect(out.events).toEqual([]); // no decision: the gateway answers with a plain 504
    await until(() => t.s.seen.cancelled === 1);
    expect(t.released).toContain('silent');
    expect(t.commits).toEqual([]);
  });

  it('a caller deadline shorter than the bound ends the call the same way, before the deadline', async () => {
    const t = setup({ firstTokenBoundMs: 60_000 });
    t.s.silence();
    t.g.silence();
    const out = await collect(t.router.generate(input('deadline'), { timeoutMs: 800 }));
    expect(out.error?.code).toBe(Code.DeadlineExceeded);
    expect(out.error?.rawMessage).toMatch(/^no backend produced a first token within \d+ ms/);
  });
});

describe('first-token bound, busy target', () => {
  it('a target answering other requests meanwhile is busy, not silent: the bound is extended once and the request completes', async () => {
    const t = setup({ firstTokenBoundMs: 300 });
    t.s.silence();
    const pending = collect(t.router.generate(input('busy')));
    await until(() => t.s.seen.calls === 1);
    t.s.speak();
    expect((await collect(t.router.generate(input('other')))).error).toBeUndefined(); // serverless answers someone
        const extended = async () => (await t.hedges('bound_extended_busy')) === 1;
    for (let i = 0; i < 1000 && !(await extended()); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await extended()).toBe(true);
    t.s.release();
    const out = await pending;
    expect(out.error).toBeUndefined();
    expect(t.g.seen.calls).toBe(0);
  });
});

describe('hedging', () => {
  it('a target silent past its learned hedge delay gets the next one alongside; the first answer wins and the loser is billed for nothing', async () => {
    const t = setup({ ttft: quickLimits(), hedgeBudget: createRetryBudget({ ratio: 0.05, maxTokens: 5 }) });
    await warm(t.router);
    t.s.silence();
    const out = await collect(t.router.generate(input('h1')));
    expect(out.error).toBeUndefined();
    const decision = out.events.find((e) => e.case === 'decision')!.value as { backend: Backend; fallback: boolean; reasons: string[] };
    expect(decision.backend).toBe(Backend.GPU);
    expect(decision.fallback).toBe(true);
    expect(decision.reasons.some((r) => r.startsWith('hedge:gpu:'))).toBe(true);
    expect(t.g.seen.requestIds).toEqual(['h1:hedge1']);
    await until(() => t.commits.some((c) => c.requestId === 'h1'));
    // The ledger sees both calls: the hedge's answer, and the cancelled primary with what it produced (nothing).
    const winner = t.commits.find((c) => c.requestId === 'h1:hedge1')!;
    const loser = t.commits.find((c) => c.requestId === 'h1')!;
    expect([winner.completed, winner.usage?.completionTokens]).toEqual([true, 4]);
    expect([loser.completed, loser.usage?.promptTokens, loser.usage?.completionTokens, loser.target]).toEqual([false, 0, 0, expect.stringMatching(/^serverless:/)]);
    expect(t.s.seen.cancelled).toBe(1);
    expect(await t.hedges('started')).toBe(1);
    expect(await t.hedges('hedge_won')).toBe(1);
  });

  it('the primary answering after the hedge started still wins; the hedge is cancelled and billed for what it produced', async () => {
    const t = setup({ ttft: quickLimits(), hedgeBudget: createRetryBudget({ ratio: 0.05, maxTokens: 5 }) });
    await warm(t.router);
    t.s.silence();
    t.g.silence();
    const pending = collect(t.router.generate(input('h2')));
    await until(() => t.g.seen.calls === 1); // the hedge is running
    t.s.release();
    const out = await pending;
    expect(out.error).toBeUndefined();
    const decision = out.events.find((e) => e.case === 'decision')!.value as { backend: Backend; fallback: boolean };
    expect([decision.backend, decision.fallback]).toEqual([Backend.SERVERLESS, false]);
    await until(() => t.commits.some((c) => c.requestId === 'h2:hedge1'));
    const hedge = t.commits.find((c) => c.requestId === 'h2:hedge1')!;
    expect([hedge.completed, hedge.usage?.completionTokens]).toEqual([false, 0]);
    expect(t.commits.find((c) => c.requestId === 'h2')?.completed).toBe(true);
    expect(await t.hedges('hedge_lost')).toBe(1);
  });

  it('a busy target — answering, in turn, requests sent about when this one was — gets no hedge; one that answers requests sent a whole delay later does', async () => {
    // The serverless backend answers at once, except the request ids the test holds until it answers them.
    const held = new Map<string, () => void>();
    const holding = new Set<string>();
    const serverless = createClient(
      InferenceService,
      createRouterTransport(({ service }) =>
        service(InferenceService, {
          async *generate(req) {
            const id = req.requestId;
            if (holding.has(id)) await new Promise<void>((resolve) => held.set(id, resolve));
            yield { event: { case: 'delta', value: { text: 'hello' } } };
            yield { event: { case: 'done', value: { usage: { promptTokens: 10, completionTokens: 1, totalTokens: 11 }, finishReason: 'stop', endpoint: 'serverless' } } };
          },
        }),
      ),
    );
    const answer = async (id: string): Promise<void> => {
      await until(() => held.has(id));
      held.get(id)!();
    };
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const gpu = gatedBackend('gpu');
    const hedgeMs = 1000;
    const run = () => {
      const t = setup({
        backends: { serverless, gpu: gpu.client },
        ttft: createTtftLimits({ minMs: hedgeMs, maxMs: 60_000, hedgeMinMs: hedgeMs, minSamples: 3 }),
        hedgeBudget: createRetryBudget({ ratio: 0.05, maxTokens: 5 }),
      });
      return t;
    };

    // Busy: a burst of four sent together, answered one after another, each within the hedge delay of the last.
    const busy = run();
    await warm(busy.router);
    for (const id of ['slow', 'p1', 'p2', 'p3']) holding.add(id);
    const slow = collect(busy.router.generate(input('slow')));
    const peers = ['p1', 'p2', 'p3'].map((id) => collect(busy.router.generate(input(id))));
    for (const id of ['p1', 'p2', 'p3']) {
      await sleep(hedgeMs / 2);
      await answer(id);
    }
    await until(() => gpu.seen.calls > 0 || held.size === 4);
    await answer('slow');
    const outs = await Promise.all([slow, ...peers]);
    expect(outs.map((o) => o.error)).toEqual([undefined, undefined, undefined, undefined]);
    expect(gpu.seen.calls).toBe(0);
    expect(await busy.hedges('deferred_busy')).toBeGreaterThanOrEqual(1); // 'slow', and the later peers past their own delay
    expect(await busy.hedges('started')).toBe(0);

    // Overtaken: kept busy by a burst sent with it, then it answers a request sent more than a delay
    // after this one: this one was dropped, and is hedged while the burst is still being answered.
    const overtaken = run();
    await warm(overtaken.router);
    const burst = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
    for (const id of ['stuck', ...burst]) holding.add(id);
    const stuck = collect(overtaken.router.generate(input('stuck')));
    const rest = burst.map((id) => collect(overtaken.router.generate(input(id))));
    let later: ReturnType<typeof collect> | undefined;
    const unanswered = [...burst];
    while (unanswered.length > 0 && gpu.seen.calls === 0) {
      await sleep(hedgeMs * 0.4);
      await answer(unanswered.shift()!);
      // Sent more than a hedge delay after 'stuck', answered at once.
      if (later === undefined && unanswered.length <= burst.length - 3) later = collect(overtaken.router.generate(input('later')));
    }
    expect(unanswered.length).toBeGreaterThan(0); // hedged while the target was still busy with the burst
    expect(gpu.seen.requestIds).toContain('stuck:hedge1'); // (and the burst's requests still held once 'later' overtook them)
    expect((await stuck).error).toBeUndefined();
    for (const id of unanswered) await answer(id);
    expect((await Promise.all([...rest, later!])).map((o) => o.error)).toEqual(Array.from({ length: burst.length + 1 }, () => undefined));
    expect(await overtaken.hedges('deferred_busy')).toBeGreaterThanOrEqual(1);
    expect(await overtaken.hedges('started')).toBe(gpu.seen.calls);
    held.get('stuck')?.();
  });

  it('no hedge while a target is cold or the hedge budget is spent', async () => {
    const t = setup({ ttft: quickLimits(), hedgeBudget: createRetryBudget({ ratio: 0, maxTokens: 0 }), firstTokenBoundMs: 400 });
    await warm(t.router);
    t.s.silence();
    const out = await collect(t.router.generate(input('h3')));
    expect(out.error?.code).toBe(Code.DeadlineExceeded);
    expect(t.g.seen.calls).toBe(0);
    expect(await t.hedges('budget_exhausted')).toBe(1);

    const cold = setup({ ttft: quickLimits(), hedgeBudget: createRetryBudget({ ratio: 0.05, maxTokens: 5 }), firstTokenBoundMs: 400 });
    cold.s.silence();
    expect((await collect(cold.router.generate(input('h4')))).error?.code).toBe(Code.DeadlineExceeded);
    expect(cold.g.seen.calls).toBe(0);
  });
});

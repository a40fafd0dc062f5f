import { Code, ConnectError, createClient, createRouterTransport, type ServiceImpl } from '@connectrpc/connect';
import { ClassifierService } from '@sophia/contracts/classifier';
import { Backend, Role, Tier, type ChatMessage } from '@sophia/contracts/common';
import { InferenceService } from '@sophia/contracts/inference';
import { LedgerService, type UsageEvent } from '@sophia/contracts/ledger';
import { BreakerState, RouterService, type GenerateResponse } from '@sophia/contracts/router';
import { loadCatalog, priceUsage } from '@sophia/price-catalog';
import { pino } from 'pino';
import { CONTINUE_INSTRUCTION } from './continuation-messages.ts';
import { createRetryBudget } from './retry-budget.ts';
import { createRouterHandler, type RouterDeps } from './router-handler.ts';
import { memoryOverrideStore } from './testing/fake-mesh.ts';
import { createTargetBreakers } from './target-breakers.ts';
import { collectGeneration } from './testing/collect-generation.ts';

type Step = 'ok' | 'fail-before' | 'fail-mid' | 'rate-limited';

/** A backend whose n-th call behaves as `script(n)`; records what it was asked. */
function scriptedBackend(name: string, script: (call: number) => Step, retryAfterMs = 20) {
  const seen = { calls: 0, messages: [] as ChatMessage[][], requestIds: [] as string[] };
  const impl: Partial<ServiceImpl<typeof InferenceService>> = {
    async *generate(req) {
      const step = script(seen.calls);
      seen.calls += 1;
      seen.messages.push(req.messages);
      seen.requestIds.push(req.requestId);
      if (step === 'fail-before') throw new ConnectError(`${name} upstream 503`, Code.Unavailable);
      if (step === 'rate-limited') throw new ConnectError(`${name} upstream 429`, Code.ResourceExhausted, { 'retry-after-ms': String(retryAfterMs) });
      yield { event: { case: 'delta', value: { text: `${name} says ` } } };
      if (step === 'fail-mid') throw new ConnectError(`${name} connection reset`, Code.Unavailable);
      yield { event: { case: 'delta', value: { text: 'hello' } } };
      yield { event: { case: 'done', value: { usage: { promptTokens: 10, completionTokens: 4, totalTokens: 14 }, finishReason: 'stop', endpoint: name } } };
    },
  };
  return { client: createClient(InferenceService, createRouterTransport(({ service }) => service(InferenceService, impl))), seen };
}

function setup(serverless: (n: number) => Step, gpu: (n: number) => Step, extra: Partial<RouterDeps> = {}, retryAfterMs?: number) {
  const catalog = loadCatalog();
  const s = scriptedBackend('serverless', serverless, retryAfterMs);
  const g = scriptedBackend('gpu', gpu, retryAfterMs);
  const ledgerEvents: UsageEvent[] = [];
  const ledger = createClient(
    LedgerService,
    createRouterTransport(({ service }) =>
      service(LedgerService, {
        commit(req) {
          ledgerEvents.push(req.event!);
          const e = req.event!;
          return { recorded: true, cost: { microUsd: BigInt(priceUsage(catalog, e.model, e.backend === Backend.GPU ? 'gpu' : 'serverless', e.usage!)) } };
        },
        reserve: (req) => ({ reservationId: req.requestId }),
        release: () => ({ released: true }),
      }),
    ),
  );
  const classifier = createClient(
    ClassifierService,
    createRouterTransport(({ service }) => service(ClassifierService, { classify: () => ({ tier: Tier.SIMPLE, score: 0.2, promptTokens: 10, expectedOutputTokens: 50 }) })),
  );
  const breakers = createTargetBreakers({ volumeThreshold: 100, errorThresholdPercentage: 50, resetTimeoutMs: 60_000, rollingWindowMs: 10_000 });
  const handler = createRouterHandler({ catalog: () => catalog, classifier, ledger, backends: { serverless: s.client, gpu: g.client }, breakers, logger: pino({ level: 'silent' }), overrides: memoryOverrideStore(), ...extra });
  const router = createClient(RouterService, createRouterTransport(({ service }) => service(RouterService, handler)));
  return { router, s, g, ledgerEvents, breakers };
}

const text = (events: GenerateResponse['event'][]) => events.filter((e) => e.case === 'delta').map((e) => e.value).join('');
const input = (requestId = `r-${Math.random()}`) => ({ input: { requestId, tenant: 'acme', messages: [{ role: Role.USER, content: 'What is 2+2?' }] } });

describe('router resilience', () => {
  it('sends no decision when every target fails before the first token, so callers see a plain UNAVAILABLE', async () => {
    const t = setup(() => 'fail-before', () => 'fail-before');
    const { events, error } = await collectGeneration(t.router.generate(input()));
    expect(events).toEqual([]);
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.rawMessage).toMatch(/all backends failed .*serverless:.*upstream 503.*gpu:.*upstream 503/s);
  });

  it('rescues a stream broken after the first token on the next target, with the partial answer as context, billing both legs', async () => {
    const t = setup(() => 'fail-mid', () => 'ok', { maxRescues: 1 });
    const { events, error } = await collectGeneration(t.router.generate(input('req-1')));
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.case === 'decision')).toHaveLength(1);
    expect(text(events)).toBe('serverless says gpu says hello');
    const done = events.at(-1);
    if (done?.case !== 'done') throw new Error('no done');
    expect(done.value.decision).toMatchObject({ backend: Backend.GPU, fallback: true });
    expect(done.value.decision?.reasons.some((r) => r.startsWith('rescue:serverless:'))).toBe(true);
    const rescueMessages = t.g.seen.messages[0]!;
    expect(rescueMessages.at(-2)).toMatchObject({ role: Role.ASSISTANT, content: 'serverless says ' });
    expect(rescueMessages.at(-1)).toMatchObject({ role: Role.USER, content: CONTINUE_INSTRUCTION });
    expect(t.ledgerEvents.map((e) => [e.requestId, e.completed])).toEqual([
      ['req-1', false],
      ['req-1:rescue1', true],
    ]);
    const legCosts = t.ledgerEvents.reduce((n, e) => n + BigInt(priceUsage(loadCatalog(), e.model, e.backend === Backend.GPU ? 'gpu' : 'serverless', e.usage!)), 0n);
    expect(done.value.decision?.cost?.microUsd).toBe(legCosts);
    expect(done.value.usage?.completionTokens).toBe(t.ledgerEvents[0]!.usage!.completionTokens + 4);
  });

  it('ends with an explicit error when the rescue fails too, naming both', async () => {
    const t = setup(() => 'fail-mid', () => 'fail-before', { maxRescues: 1 });
    const { events, error } = await collectGeneration(t.router.generate(input()));
    // The rescue tries the other targets in plan order (gpu, then the tier's next models).
    expect(text(events)).toMatch(/^serverless says /);
    expect(events.some((e) => e.case === 'done')).toBe(false);
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.rawMessage).toMatch(/failed after the first token: .*connection reset/);
  });

  it('counts failures after the first token against the breaker', async () => {
    const t = setup(() => 'fail-mid', () => 'ok');
    for (let i = 0; i < 3; i++) await collectGeneration(t.router.generate(input()));
    expect(Object.entries(t.breakers.states()).find(([k]) => k.startsWith('serverless:'))?.[1]).toBe('open');
  });

  it('retries a rate-limited target after its Retry-After when every target failed', async () => {
    const probe = setup(() => 'ok', () => 'ok');
    const serverlessTargets = (await probe.router.explain(input())).plan.filter((k) => k.startsWith('serverless:')).length;
    const t = setup((n) => (n < serverlessTargets ? 'rate-limited' : 'ok'), () => 'fail-before');
    const { events, error } = await collectGeneration(t.router.generate(input()));
    expect(error).toBeUndefined();
    expect(text(events)).toBe('serverless says hello');
    expect(t.s.seen.calls).toBe(serverlessTargets + 1);
    expect(t.g.seen.calls).toBe((await probe.router.explain(input())).plan.length - serverlessTargets);
  });

  it('does not wait for a Retry-After beyond the caller deadline', async () => {
    const t = setup(() => 'rate-limited', () => 'rate-limited', {}, 60_000);
    const planLength = (await t.router.explain(input())).plan.length;
    const { error } = await collectGeneration(t.router.generate(input(), { timeoutMs: 5000 }));
    expect(error?.code).toBe(Code.Unavailable);
    expect(t.s.seen.calls + t.g.seen.calls).toBe(planLength);
  });

  it('does not retry once the retry budget is spent', async () => {
    const t = setup(() => 'fail-before', () => 'fail-before', { retryBudget: createRetryBudget({ ratio: 0, maxTokens: 0 }) });
    const planLength = (await t.router.explain(input())).plan.length;
    const { error } = await collectGeneration(t.router.generate(input()));
    expect(error?.code).toBe(Code.Unavailable);
    expect(t.s.seen.calls + t.g.seen.calls).toBe(planLength);
  });

  it('retries with backoff within the budget when every target failed', async () => {
    const t = setup(() => 'fail-before', () => 'fail-before', { maxRetries: 1, random: () => 0 });
    const planLength = (await t.router.explain(input())).plan.length;
    await collectGeneration(t.router.generate(input()));
    expect(t.s.seen.calls + t.g.seen.calls).toBe(planLength + 1);
  });
});

describe('GetBreakers admin RPC', () => {
  it('shows each target breaker with its state and failure counts', async () => {
    const t = setup(() => 'fail-before', () => 'ok');
    for (let i = 0; i < 3; i++) await collectGeneration(t.router.generate(input()));
    const res = await t.router.getBreakers({});
    const serverless = res.breakers.find((b) => b.target.startsWith('serverless:'));
    expect(serverless).toMatchObject({ state: BreakerState.OPEN, consecutiveFailures: 3, windowFailures: 3 });
    expect(serverless?.changedAt).toBeDefined();
    expect(res.breakers.find((b) => b.target.startsWith('gpu:'))).toMatchObject({ state: BreakerState.CLOSED, consecutiveFailures: 0 });
  });
});

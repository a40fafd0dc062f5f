import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, createRouterTransport, type Client } from '@connectrpc/connect';
import { Backend, Tier } from '@sophia/contracts/common';
import { Dimension, LedgerService } from '@sophia/contracts/ledger';
import { testCatalog, testCatalogFile } from '@sophia/price-catalog/testing';
import { parseCatalog, type PriceCatalog } from '@sophia/price-catalog';
import { Registry } from 'prom-client';
import { ReplyError } from 'ioredis';
import { budgetOutageCause } from '@sophia/platform/wire';
import { createLedgerHandler } from './ledger-handler.ts';
import { createLedgerMetrics } from './ledger-metrics.ts';
import { memoryLedgerStore } from './testing/memory-ledger-store.ts';
import { RedisStoreFull, redisFullKind } from './spooling-usage-store.ts';
import type { UsageStore } from './usage-store.ts';
import type { BudgetStore } from './budget-store.ts';

const NOW = Date.UTC(2026, 10, 26, 12);
const DAY = 86_400_000;

function ledgerClient(
  store: UsageStore & BudgetStore = memoryLedgerStore(),
  catalog: () => PriceCatalog = testCatalog,
  logger?: { error: jest.Mock },
): Client<typeof LedgerService> {
  const impl = createLedgerHandler({ store, catalog, clock: () => new Date(NOW), ...(logger ? { logger } : {}) });
  return createClient(LedgerService, createRouterTransport(({ service }) => service(LedgerService, impl)));
}

function event(requestId: string, init: { tenant?: string; model?: string; backend?: Backend; prompt?: number; completion?: number; timeMs?: number; tag?: string; tier?: Tier } = {}) {
  return {
    event: {
      requestId,
      tenant: init.tenant ?? 'acme',
      model: init.model ?? 'small',
      backend: init.backend ?? Backend.SERVERLESS,
      tier: init.tier ?? Tier.UNSPECIFIED,
      usage: { promptTokens: init.prompt ?? 1000, completionTokens: init.completion ?? 500, totalTokens: 0 },
      ...(init.timeMs === undefined ? {} : { time: timestampFromMs(init.timeMs) }),
      workloadTag: init.tag ?? '',
      completed: true,
    },
  };
}

async function rejection(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error('expected the call to fail');
}

describe('LedgerService handler (in-memory transport)', () => {
  describe('RecordUsage', () => {
    it('prices the event from the catalog', async () => {
      const client = ledgerClient();
      // (1000 × 25,000 + 500 × 40,000) / 1e6 = 45 µ$
      expect(await client.recordUsage(event('r1'))).toMatchObject({ recorded: true, cost: { microUsd: 45n } });
      // GPU: 500 × 4,290,000 / (5000 × 3600) = 119.17 → 120 µ$, prompt free
      expect(await client.recordUsage(event('r2', { backend: Backend.GPU }))).toMatchObject({ cost: { microUsd: 120n } });
    });

    it('is idempotent by request id: the second record is not counted and returns the first cost', async () => {
      const client = ledgerClient();
      await client.recordUsage(event('dup', { completion: 500 }));
      const again = await client.recordUsage(event('dup', { completion: 9_000_000 }));
      expect(again).toMatchObject({ recorded: false, cost: { microUsd: 45n } });
      const usage = await client.queryUsage({});
      expect(usage.total).toMatchObject({ requests: 1n, completionTokens: 500n, cost: { microUsd: 45n } });
    });

    it('carries the prompt-cache hits the upstream reported into QueryUsage', async () => {
      const client = ledgerClient();
      const cached = event('c1');
      await client.recordUsage({ event: { ...cached.event, usage: { promptTokens: 1000, completionTokens: 500, totalTokens: 1500, cachedPromptTokens: 640 } } });
      await client.recordUsage(event('c2'));
      const usage = await client.queryUsage({});
      expect(usage.total).toMatchObject({ requests: 2n, promptTokens: 2000n, cachedPromptTokens: 640n });
    });

    it('bills prompt tokens served from the provider\'s cache at its cached-input rate, never above the reservation', async () => {
      const client = ledgerClient();
      const withProvider = (id: string, cachedPromptTokens: number) => ({
        event: { ...event(id).event, provider: 'fireworks', usage: { promptTokens: 1000, completionTokens: 500, totalTokens: 1500, cachedPromptTokens } },
      });
      // fireworks: input 0.1, cached 0.05, output 0.1 $/M — (600 × 100,000 + 400 × 50,000 + 500 × 100,000) / 1e6 = 130
      expect(await client.recordUsage(withProvider('fw-cached', 400))).toMatchObject({ cost: { microUsd: 130n } });
      expect(await client.recordUsage(withProvider('fw-plain', 0))).toMatchObject({ cost: { microUsd: 150n } });
      const usage = await client.queryUsage({});
      expect(usage.total).toMatchObject({ requests: 2n, cachedPromptTokens: 400n, cost: { microUsd: 280n } });
      // The worst-case quote (nothing cached) bounds the cached answer's cost.
      const quote = await client.quote({ model: 'small', backend: Backend.SERVERLESS, promptTokens: 1000, maxTokens: 500 });
      expect(quote.worstCase!.microUsd).toBeGreaterThanOrEqual(130n);
    });

    it('stamps events without a time with the clock and takes the tier from the catalog', async () => {
      const client = ledgerClient();
      await client.recordUsage(event('t1', { model: 'mid' }));
      const usage = await client.queryUsage({ groupBy: [Dimension.DAY, Dimension.TIER] });
      expect(usage.rows.map((r) => r.keys)).toEqual([['2026-11-26', 'balanced']]);
    });

    it('keeps the tier the router chose when it is set', async () => {
      const client = ledgerClient();
      await client.recordUsage(event('t2', { model: 'mid', tier: Tier.SIMPLE }));
      const usage = await client.queryUsage({ groupBy: [Dimension.TIER] });
      expect(usage.rows.map((r) => r.keys)).toEqual([['simple']]);
    });

    it.each([
      ['a missing event', { event: undefined }, 'event: is required'],
      ['a missing request_id', event(''), 'event.request_id: is required'],
      ['a blank tenant', event('x', { tenant: '  ' }), 'event.tenant: is required'],
      ['an unspecified backend', event('x', { backend: Backend.UNSPECIFIED }), 'event.backend: is required'],
      ['an unknown backend', event('x', { backend: 9 as Backend }), 'event.backend: unknown backend 9'],
      ['an unknown tier', event('x', { tier: 7 as Tier }), 'event.tier: unknown tier 7'],
      ['a backend the model lacks', event('x', { model: 'small-b', backend: Backend.GPU }), "event.backend: model 'small-b' is not offered on backend 'gpu'"],
      ['a missing usage', { event: { ...event('x').event, usage: undefined } }, 'event.usage: is required'],
      [
        'more cached than prompt tokens',
        { event: { ...event('x').event, usage: { promptTokens: 10, completionTokens: 1, totalTokens: 11, cachedPromptTokens: 11 } } },
        'event.usage.cached_prompt_tokens: 11 exceeds prompt_tokens (10)',
      ],
      ['a time before 1970', event('x', { timeMs: -5000 }), 'event.time:'],
      ['an over-long request id', event('x'.repeat(300)), 'event.request_id: is longer than 256'],
    ])('rejects %s as INVALID_ARGUMENT naming the field', async (_name, request, message) => {
      const error = await rejection(ledgerClient().recordUsage(request));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toContain(message);
    });

    it('rejects an unknown model as NOT_FOUND naming the model', async () => {
      const error = await rejection(ledgerClient().recordUsage(event('x', { model: 'gpt-imaginary' })));
      expect(error.code).toBe(Code.NotFound);
      expect(error.rawMessage).toBe("event.model: model 'gpt-imaginary' is not in price catalog test-1");
    });

    it('prices with the catalog current at call time', async () => {
      let catalog = testCatalog();
      const client = ledgerClient(memoryLedgerStore(), () => catalog);
      await client.recordUsage(event('before'));
      const file = testCatalogFile();
      file.version = 'test-2';
      file.models[0]!.serverless!.outputUsdPerMTok = 0.08;
      catalog = parseCatalog(file);
      // (1000 × 25,000 + 500 × 80,000) / 1e6 = 65
      expect(await client.recordUsage(event('after'))).toMatchObject({ cost: { microUsd: 65n } });
      expect((await client.queryUsage({})).total?.cost?.microUsd).toBe(45n + 65n);
    });

    it('counts recorded cost and tokens in metrics, duplicates only as duplicates', async () => {
      const registry = new Registry();
      const metrics = createLedgerMetrics(registry);
      const impl = createLedgerHandler({ store: memoryLedgerStore(), catalog: testCatalog, metrics });
      const client = createClient(LedgerService, createRouterTransport(({ service }) => service(LedgerService, impl)));
      await client.recordUsage(event('m1'));
      await client.recordUsage(event('m1'));
      await client.recordUsage(event('m2', { backend: Backend.GPU }));
      const values = async (name: string) => (await registry.getSingleMetric(name)!.get()).values;
      expect(await values('ledger_usage_records_total')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ labels: { result: 'recorded' }, value: 2 }),
          expect.objectContaining({ labels: { result: 'duplicate' }, value: 1 }),
        ]),
      );
      expect(await values('ledger_cost_micro_usd_total')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ labels: { backend: 'serverless', tier: 'simple', model: 'small' }, value: 45 }),
          expect.objectContaining({ labels: { backend: 'gpu', tier: 'simple', model: 'small' }, value: 120 }),
        ]),
      );
    });

    it('still bills in-flight usage of a model a reload removed, at its last price and version', async () => {
      let catalog = testCatalog();
      const client = ledgerClient(memoryLedgerStore(), () => catalog);
      const file = testCatalogFile();
      file.version = 'test-3';
      file.models.splice(1, 1);
      file.tiers.simple = ['small'];
      catalog = parseCatalog(file);
      // small-b: (1000 × 30,000 + 500 × 50,000) / 1e6 = 55 µ$ from catalog test-1
      expect(await client.recordUsage(event('late', { model: 'small-b' }))).toMatchObject({ recorded: true, cost: { microUsd: 55n } });
      const quote = await rejection(client.quote({ model: 'small-b', backend: Backend.SERVERLESS }));
      expect(quote.code).toBe(Code.NotFound);
      const never = await rejection(client.recordUsage(event('x', { model: 'never-listed' })));
      expect(never.rawMessage).toBe("event.model: model 'never-listed' is not in price catalog test-3");
    });

    it('maps a store failure to UNAVAILABLE without leaking its cause', async () => {
      const down = () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:6379'));
      const failing: UsageStore & BudgetStore = {
        record: down,
        query: down,
        scan: down,
        appendAudit: down,
        setLimit: down,
        reserve: down,
        release: down,
        status: down,
        tenantStatus: down,
        promptCalibration: down,
      };
      const logger = { error: jest.fn() };
      const error = await rejection(ledgerClient(failing, testCatalog, logger).recordUsage(event('x')));
      expect(error.code).toBe(Code.Unavailable);
      expect(error.rawMessage).toBe('usage store unavailable');
      expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ operation: 'record' }), 'usage store failed');
    });

    it('refuses with the store-full outage (so the router does not serve unrecorded) when its disk is full, naming the file', async () => {
      const full = () => Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 }));
      const store = { ...memoryLedgerStore(), record: full, reserve: full };
      const logger = { error: jest.fn(), warn: jest.fn() };
      const impl = createLedgerHandler({ store, catalog: testCatalog, clock: () => new Date(NOW), stateLocation: '/srv/sophia/sophia.db', logger });
      const client = createClient(LedgerService, createRouterTransport(({ service }) => service(LedgerService, impl)));
      for (const call of [client.recordUsage(event('x')), client.reserve({ requestId: 'r', tenant: 'acme', model: 'small', backend: Backend.SERVERLESS, promptTokens: 10 })]) {
        const error = await rejection(call);
        expect(budgetOutageCause(error)).toBe('store-full');
        expect(error.rawMessage).toBe('the ledger cannot write its state store (/srv/sophia/sophia.db): database or disk is full; requests are refused until space is freed');
      }
      // One structured line per refusal, no error object (no stack): it repeats for every request while the disk is full.
      expect(logger.error).not.toHaveBeenCalled();
      expect(logger.warn.mock.calls).toEqual([
        [{ operation: 'record', cause: 'store-full', reason: expect.stringContaining('database or disk is full') }, 'record refused: store-full'],
        [{ operation: 'reserve', cause: 'store-full', reason: expect.stringContaining('database or disk is full') }, 'reserve refused: store-full'],
      ]);
    });

    it('refuses with the store-out-of-memory outage when Redis is at maxmemory, and with store-full when it cannot persist', async () => {
      for (const [reply, cause] of [["OOM command not allowed when used memory > 'maxmemory'.", 'store-out-of-memory'], ['MISCONF Errors writing to the AOF file: No space left on device', 'store-full']] as const) {
        const refused = () => Promise.reject(new RedisStoreFull(new ReplyError(reply), redisFullKind(new ReplyError(reply))));
        const impl = createLedgerHandler({ store: { ...memoryLedgerStore(), reserve: refused }, catalog: testCatalog, clock: () => new Date(NOW) });
        const client = createClient(LedgerService, createRouterTransport(({ service }) => service(LedgerService, impl)));
        const error = await rejection(client.reserve({ requestId: 'r', tenant: 'acme', model: 'small', backend: Backend.SERVERLESS, promptTokens: 10 }));
        expect(error.code).toBe(Code.Unavailable);
        expect(budgetOutageCause(error)).toBe(cause);
        expect(error.rawMessage).toContain(reply);
      }
    });
  });

  describe('QueryUsage', () => {
    let client: Client<typeof LedgerService>;
    beforeEach(async () => {
      client = ledgerClient();
      await client.recordUsage(event('a', { tenant: 'acme', timeMs: NOW - DAY, tag: 'chat' }));
      await client.recordUsage(event('b', { tenant: 'acme', model: 'mid', backend: Backend.GPU, completion: 1_512_000, timeMs: NOW - 10 }));
      await client.recordUsage(event('c', { tenant: 'beta', timeMs: NOW - 5, tag: 'batch' }));
    });

    it('groups by the requested dimensions, echoing them', async () => {
      const usage = await client.queryUsage({ groupBy: [Dimension.TENANT, Dimension.MODEL, Dimension.BACKEND] });
      expect(usage.groupBy).toEqual([Dimension.TENANT, Dimension.MODEL, Dimension.BACKEND]);
      expect(usage.rows.map((r) => [r.keys, r.requests, r.cost?.microUsd])).toEqual([
        [['acme', 'mid', 'gpu'], 1n, 4_290_000n],
        [['acme', 'small', 'serverless'], 1n, 45n],
        [['beta', 'small', 'serverless'], 1n, 45n],
      ]);
      expect(usage.total).toMatchObject({ keys: [], requests: 3n, promptTokens: 3000n, completionTokens: 1_513_000n, cost: { microUsd: 4_290_090n } });
    });

    it('restricts to a tenant and a period [start, end)', async () => {
      const acmeToday = await client.queryUsage({
        tenant: 'acme',
        start: timestampFromMs(NOW - 10),
        end: timestampFromMs(NOW),
        groupBy: [Dimension.WORKLOAD_TAG],
      });
      expect(acmeToday.rows.map((r) => r.keys)).toEqual([['']]);
      expect(acmeToday.total?.requests).toBe(1n);
      const endExclusive = await client.queryUsage({ start: timestampFromMs(NOW - DAY - 1), end: timestampFromMs(NOW - 10) });
      expect(endExclusive.total?.requests).toBe(1n);
    });

    it('defaults end to now, so future events are not counted', async () => {
      await client.recordUsage(event('future', { timeMs: NOW + 1 }));
      expect((await client.queryUsage({})).total?.requests).toBe(3n);
    });

    it.each([
      ['an unspecified dimension', { groupBy: [Dimension.TENANT, Dimension.UNSPECIFIED] }, 'group_by[1]: unknown or unspecified dimension 0'],
      ['a repeated dimension', { groupBy: [Dimension.DAY, Dimension.MODEL, Dimension.DAY] }, "group_by[2]: dimension 'day' is listed twice"],
      ['start after end', { start: timestampFromMs(NOW), end: timestampFromMs(NOW - 1) }, 'start: must not be after end'],
    ])('rejects %s naming the field', async (_name, request, message) => {
      const error = await rejection(client.queryUsage(request));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toContain(message);
    });
  });

  describe('Quote', () => {
    it('returns the worst case and the list prices', async () => {
      const quote = await ledgerClient().quote({ model: 'small', backend: Backend.SERVERLESS, promptTokens: 1000, maxTokens: 500 });
      // the worst case is at the dearest offer (fireworks 0.1/0.1) with the prompt at its default billed bound,
      // ceil(1000 × 1.25) + 64 = 1314: 131.4 + 50 → 182; list prices are the reference card
      expect(quote).toMatchObject({ worstCase: { microUsd: 182n }, billablePromptTokens: 1314, inputMicroUsdPerMtok: 25_000n, outputMicroUsdPerMtok: 40_000n });
    });

    it('assumes the model maximum when max_tokens is unset', async () => {
      // small-b: maxOutputTokens 1000 → 1314 × 30,000 + 1000 × 50,000 = 89.42 → 90 µ$
      const quote = await ledgerClient().quote({ model: 'small-b', backend: Backend.SERVERLESS, promptTokens: 1000 });
      expect(quote.worstCase?.microUsd).toBe(90n);
    });

    it('quotes GPU at the amortised rate', async () => {
      const quote = await ledgerClient().quote({ model: 'mid', backend: Backend.GPU, promptTokens: 50, maxTokens: 1_512_000 });
      expect(quote).toMatchObject({ worstCase: { microUsd: 4_290_000n }, inputMicroUsdPerMtok: 0n, outputMicroUsdPerMtok: 2_837_302n });
    });

    it('names an unknown model (NOT_FOUND) and a missing backend (INVALID_ARGUMENT)', async () => {
      const unknown = await rejection(ledgerClient().quote({ model: 'nope', backend: Backend.GPU }));
      expect([unknown.code, unknown.rawMessage]).toEqual([Code.NotFound, "model: model 'nope' is not in price catalog test-1"]);
      const missing = await rejection(ledgerClient().quote({ model: '', backend: Backend.GPU }));
      expect([missing.code, missing.rawMessage]).toEqual([Code.InvalidArgument, 'model: is required']);
      const noBackend = await rejection(ledgerClient().quote({ model: 'small' }));
      expect([noBackend.code, noBackend.rawMessage]).toEqual([Code.InvalidArgument, 'backend: is required (BACKEND_SERVERLESS or BACKEND_GPU)']);
    });
  });
});

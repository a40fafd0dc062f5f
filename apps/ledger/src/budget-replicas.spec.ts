// Exact across replicas: three ledger handler instances, each with its own ioredis client, against
// one real redis-server; 200 concurrent reserve → commit (or release) sequences against a small
// budget. Nothing may be granted beyond the budget, and the ledger's totals must equal the upstream
// usage priced by the catalog, exactly.
import { Code, ConnectError, createClient, createRouterTransport, type Client } from '@connectrpc/connect';
import { Redis } from 'ioredis';
import { Backend } from '@sophia/contracts/common';
import { BudgetWindow, LedgerService } from '@sophia/contracts/ledger';
import { priceUsage } from '@sophia/price-catalog';
import { testCatalog } from '@sophia/price-catalog/testing';
import { createLedgerHandler } from './ledger-handler.ts';
import { createRedisUsageStore } from './redis-usage-store.ts';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';

const available = redisServerAvailable();
if (!available) console.warn('redis-server not found on PATH: skipping the cross-replica budget test');
const describeRedis = available ? describe : describe.skip;

const NOW = Date.UTC(2026, 10, 26, 12);
const BUDGET = 20_000;
const PROMPT = 2000;
const MAX_TOKENS = 1000;
// mid, serverless: (2000 × 120,000 + 1000 × 300,000) / 1e6
const WORST_CASE = 540;

describeRedis('budgets across three replicas on one redis-server', () => {
  let server: TestRedisServer;
  let clients: Redis[] = [];
  let replicas: Array<Client<typeof LedgerService>> = [];

  beforeAll(async () => {
    server = await startRedisServer();
    clients = await Promise.all(
      [0, 1, 2].map(async () => {
        const c = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
        await c.connect();
        return c;
      }),
    );
    replicas = clients.map((redis) => {
      const impl = createLedgerHandler({
        store: createRedisUsageStore({ redis, keyPrefix: '{replicas}:' }),
        catalog: testCatalog,
        clock: () => new Date(NOW),
      });
      return createClient(LedgerService, createRouterTransport(({ service }) => service(LedgerService, impl)));
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    await server.stop();
  });

  it('never commits beyond the budget and totals exactly the priced upstream usage', async () => {
    const [a, b, c] = replicas as [Client<typeof LedgerService>, Client<typeof LedgerService>, Client<typeof LedgerService>];
    await a.setBudget({ scope: { tenant: 'acme' }, window: BudgetWindow.DAY, limit: { microUsd: BigInt(BUDGET) }, actor: 'spec' });
    const catalog = testCatalog();
    let seed = 11;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    // Decided up front so the expected totals do not depend on scheduling.
    const plans = Array.from({ length: 200 }, (_, i) => ({
      id: `req-${i}`,
      replica: [a, b, c][i % 3]!,
      commitOn: [a, b, c][(i + 1) % 3]!,
      completion: 1 + random(MAX_TOKENS),
      fails: random(10) === 0,
      // Staggered starts, so reserves race with other requests' commits and releases.
      delayMs: random(30),
    }));
    const outcomes = await Promise.all(
      plans.map(async (plan) => {
        await new Promise((r) => setTimeout(r, plan.delayMs));
        try {
          await plan.replica.reserve({ requestId: plan.id, tenant: 'acme', model: 'mid', backend: Backend.SERVERLESS, promptTokens: PROMPT, maxTokens: MAX_TOKENS });
        } catch (error) {
          const e = ConnectError.from(error);
          expect(e.code).toBe(Code.ResourceExhausted);
          expect(Number(e.metadata.get('retry-after-ms'))).toBe(Date.UTC(2026, 10, 27) - NOW);
          return { plan, result: 'refused' as const };
        }
        if (plan.fails) {
          expect((await plan.commitOn.release({ reservationId: plan.id, tenant: 'acme' })).released).toBe(true);
          return { plan, result: 'released' as const };
        }
        const usage = { promptTokens: PROMPT, completionTokens: plan.completion, totalTokens: 0 };
        const committed = await plan.commitOn.commit({
          reservationId: plan.id,
          event: { requestId: plan.id, tenant: 'acme', model: 'mid', backend: Backend.SERVERLESS, usage, completed: true },
        });
        expect(committed.recorded).toBe(true);
        return { plan, result: 'committed' as const, cost: committed.cost?.microUsd ?? -1n };
      }),
    );
    const committed = outcomes.filter((o) => o.result === 'committed');
    expect(committed.length).toBeGreaterThan(0);
    expect(outcomes.some((o) => o.result === 'refused')).toBe(true);
    const expected = committed.reduce(
      (sum, o) => sum + BigInt(priceUsage(catalog, 'mid', 'serverless', { promptTokens: PROMPT, completionTokens: o.plan.completion })),
      0n,
    );
    expect(committed.reduce((sum, o) => sum + (o.cost ?? 0n), 0n)).toBe(expected);
    expect(expected).toBeLessThanOrEqual(BigInt(BUDGET + WORST_CASE));

    const usage = await c.queryUsage({});
    expect(usage.total?.cost?.microUsd).toBe(expected);
    expect(usage.total?.requests).toBe(BigInt(committed.length));
    const status = await b.budgetStatus({ tenant: 'acme' });
    expect(status.budgets[0]).toMatchObject({ period: '2026-11-26', spent: { microUsd: expected }, reserved: { microUsd: 0n } });
    expect(status.maxUtilisation).toBeCloseTo(Number(expected) / BUDGET, 9);
  });
});

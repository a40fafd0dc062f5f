import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, createRouterTransport, type Client } from '@connectrpc/connect';
import { Backend } from '@sophia/contracts/common';
import { BudgetWindow, Dimension, LedgerService } from '@sophia/contracts/ledger';
import { testCatalog } from '@sophia/price-catalog/testing';
import { createLedgerHandler } from './ledger-handler.ts';
import { memoryLedgerStore } from './testing/memory-ledger-store.ts';
import type { ReportSettings } from './report-handler.ts';

const NOW = Date.UTC(2026, 10, 26, 12);
const MONTH_START = Date.UTC(2026, 10, 1);

function client(reports?: ReportSettings): Client<typeof LedgerService> {
  const impl = createLedgerHandler({ store: memoryLedgerStore(), catalog: testCatalog, clock: () => new Date(NOW), ...(reports ? { reports } : {}) });
  return createClient(LedgerService, createRouterTransport(({ service }) => service(LedgerService, impl)));
}

async function seed(c: Client<typeof LedgerService>): Promise<void> {
  const events: Array<[string, string, string, Backend, number, number, number, string]> = [
    // id, tenant, model, backend, prompt, completion, latency, tag
    ['e1', 'acme', 'small', Backend.SERVERLESS, 1000, 500, 100, 'chat'], // 45 µ$
    ['e2', 'acme', 'small', Backend.SERVERLESS, 1000, 500, 300, 'chat'], // 45 µ$
    ['e3', 'beta', 'mid', Backend.GPU, 1000, 420, 200, 'sql'], // 420 × 4,290,000 / (420 × 3600) → 1192 µ$
    ['e4', 'acme', 'big', Backend.GPU, 0, 10, 50, 'chat'], // 10 × 1,290,000 / 3600 → 3584 µ$
  ];
  for (const [requestId, tenant, model, backend, promptTokens, completionTokens, latencyMs, workloadTag] of events) {
    await c.recordUsage({
      event: { requestId, tenant, model, backend, usage: { promptTokens, completionTokens }, latencyMs, workloadTag, completed: true, time: timestampFromMs(NOW - 3_600_000) },
    });
  }
}

describe('report RPCs', () => {
  it('GetUsageReport: cost per request, latency percentiles, month-to-date, projection and budgets', async () => {
    const c = client();
    await seed(c);
    await c.setBudget({ scope: { tenant: 'acme' }, window: BudgetWindow.MONTH, limit: { microUsd: 10_000n }, actor: 'spec' });
    const report = await c.getUsageReport({ groupBy: [Dimension.TENANT], tenant: '' });
    expect(report.rows.map((r) => [r.keys, r.requests, r.cost?.microUsd, r.costPerRequest?.microUsd, r.latencyP50Ms, r.latencyP95Ms])).toEqual([
      [['acme'], 3n, 3674n, 1224n, 100, 300],
      [['beta'], 1n, 1192n, 1192n, 200, 200],
    ]);
    expect(report.total).toMatchObject({ requests: 4n, cost: { microUsd: 4866n }, latencyP50Ms: 100, latencyP95Ms: 300 });
    // 4866 µ$ in 25.5 days of a 30-day month → 5724 µ$
    expect(report.monthToDate?.microUsd).toBe(4866n);
    expect(report.monthEndProjection?.microUsd).toBe(5724n);
    expect(report.budgets).toEqual([]);
    const acme = await c.getUsageReport({ tenant: 'acme' });
    expect(acme.monthToDate?.microUsd).toBe(3674n);
    expect(acme.budgets[1]).toMatchObject({ spent: { microUsd: 3674n }, limit: { microUsd: 10_000n } });
  });

  it('GetSavingsReport: actual against the GPU baseline and the three counterfactuals', async () => {
    const c = client();
    await seed(c);
    const s = await c.getSavingsReport({});
    expect(timestampMs(s.start!)).toBe(MONTH_START);
    expect(s).toMatchObject({ requests: 4n, promptTokens: 3000n, completionTokens: 1430n });
    expect([s.actual, s.allLargestTier, s.allServerless, s.allGpu, s.gpuBaseline].map((m) => m?.microUsd)).toEqual([
      4866n,
      // big on GPU (its only offer): 179,167 + 179,167 + 150,500 + 3,584
      512_418n,
      // 45 + 45 + mid serverless 246 + big has no serverless offer → GPU 3584
      3920n,
      // small on GPU 120 + 120 + 1192 + 3584
      5016n,
      // $6,444 × (25.5 days + 1 ms) / 730 h
      5_402_367_125n,
    ]);
    expect(s.savingsVsLargestTier?.microUsd).toBe(512_418n - 4866n);
    expect(s.savingsVsAllServerless?.microUsd).toBe(3920n - 4866n);
    expect(s.savingsVsGpuBaseline?.microUsd).toBe(5_402_367_125n - 4866n);
    expect(s.notes).toEqual([
      'gpu baseline: flat monthly GPU baseline, 6444000000 µ$/month prorated over the period',
      'big has no serverless offer: priced on gpu',
      'largest tier: big on gpu',
    ]);
    const beta = await c.getSavingsReport({ tenant: 'beta', start: timestampFromMs(NOW - 86_400_000), end: timestampFromMs(NOW) });
    expect(beta.actual?.microUsd).toBe(1192n);
    // $6,444 per 730 h × 24 h
    expect(beta.gpuBaseline?.microUsd).toBe(211_857_534n);
  });

  it('GetSavingsReport: cache hits are billed 0 and their would-be cost is reported as savings from the cache', async () => {
    const c = client();
    await seed(c);
    // The same answer as e1 (small, serverless, 1000 + 500 tokens: 45 µ$), replayed by the gateway's cache twice.
    for (const requestId of ['hit1', 'hit2']) {
      await c.recordUsage({
        event: { requestId, tenant: 'acme', model: 'small', backend: Backend.SERVERLESS, usage: { promptTokens: 1000, completionTokens: 500 }, workloadTag: 'chat', completed: true, cacheHit: true, time: timestampFromMs(NOW - 60_000) },
      });
    }
    const s = await c.getSavingsReport({});
    expect(s).toMatchObject({ requests: 6n, cacheHits: 2n, savingsFromCache: { microUsd: 90n }, actual: { microUsd: 4866n } });
    // The counterfactuals price the hits like any request (without the mesh they would have been paid for).
    expect(s.allServerless?.microUsd).toBe(3920n + 90n);
    const usage = await c.getUsageReport({ tenant: 'acme' });
    expect(usage.monthToDate?.microUsd).toBe(3674n);
    // An upstream answer is not a cache hit.
    const plain = client();
    await seed(plain);
    expect(await plain.getSavingsReport({})).toMatchObject({ cacheHits: 0n, savingsFromCache: { microUsd: 0n } });
  });

  it('prices an instance-list baseline from the catalog', async () => {
    const c = client({ gpuBaseline: { kind: 'instances', instances: [{ instanceType: 'gpu_1x_h100_sxm5', count: 2, hoursPerMonth: 730 }] } });
    const s = await c.getSavingsReport({ start: timestampFromMs(NOW - 3_600_000), end: timestampFromMs(NOW) });
    expect(s.gpuBaseline?.microUsd).toBe(8_580_000n);
    const bad = client({ gpuBaseline: { kind: 'instances', instances: [{ instanceType: 'gpu_9x', count: 1, hoursPerMonth: 730 }] } });
    await expect(bad.getSavingsReport({})).rejects.toThrow("GPU baseline instance type 'gpu_9x' is not in price catalog test-1");
  });

  it('GetBreakEven: serverless vs GPU per workload tag and model', async () => {
    const c = client();
    await seed(c);
    const { days, rows } = await c.getBreakEven({});
    expect(days).toBe(7);
    const chat = rows.find((r) => r.workloadTag === 'chat' && r.model === 'small')!;
    expect(chat).toMatchObject({
      requests: 2n,
      serverlessCost: { microUsd: 90n },
      gpuInstanceType: 'gpu_1x_h100_sxm5',
      gpuInstances: 1,
      // one H100 for 168 h
      gpuCost: { microUsd: 720_720_000n },
      cheaper: Backend.SERVERLESS,
      // 24 h × $4.29 / ((2000 × 0.025 + 1000 × 0.04) / 1000 µ$ per completion token)
      breakEvenCompletionTokensPerDay: 1_144_000_000n,
    });
    expect(chat.gpuUtilisation).toBeCloseTo(1000 / (7 * 86_400 * 5000), 15);
    const big = rows.find((r) => r.model === 'big')!;
    expect(big.serverlessCost).toBeUndefined();
    expect(big.cheaper).toBe(Backend.GPU);
    const error = await c.getBreakEven({ days: 400 }).catch((e: unknown) => ConnectError.from(e));
    expect(error).toMatchObject({ code: Code.InvalidArgument, rawMessage: 'days: must be at most 366' });
  });
});

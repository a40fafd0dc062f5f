import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { createClient, createRouterTransport, type Client } from '@connectrpc/connect';
import { Dimension, LedgerService } from '@sophia/contracts/ledger';
import { testCatalog } from '@sophia/price-catalog/testing';
import { createLedgerHandler } from './ledger-handler.ts';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { LEDGER_SCHEMA } from './ledger-schema.ts';
import { compactionCutoff, HOUR_MS, summariseByBucket } from './usage-compaction.ts';
import { usageRecord } from './usage-store-contract.ts';
import type { UsageRecord, UsageStore } from './usage-store.ts';
import type { BudgetStore } from './budget-store.ts';
import { createRedisUsageStore } from './redis-usage-store.ts';
import { describeWithRedis } from '@sophia/platform/testing';
import { summaryOf } from './usage-summary.ts';
import { decodeSummary, encodeSummary } from './usage-summary-codec.ts';
import { createSqliteUsageStore } from './sqlite-usage-store.ts';

const DAY = 86_400_000;
/** 2026-11-26T12:00Z: the events span the three days before it. */
const NOW = Date.UTC(2026, 10, 26, 12);

/** A deterministic PRNG (mulberry32), so the mix of events is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Events of several tenants, models, backends, providers, tags and cache hits, with repeating and distinct token pairs and latencies. */
function events(count: number): UsageRecord[] {
  const r = random(20);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const model = pick(['small', 'small', 'mid', 'big', 'retired-model']);
    const backend = model === 'small' && r() < 0.7 ? 'serverless' : 'gpu';
    const cached = r() < 0.1;
    const promptTokens = pick([10, 200, 1000]) + (r() < 0.3 ? Math.floor(r() * 50) : 0);
    return usageRecord({
      requestId: `e${i}`,
      tenant: pick(['acme', 'beta', 'gamma']),
      model,
      backend,
      tier: pick(['simple', 'balanced', 'complex'] as const),
      workloadTag: pick(['', 'chat', 'sql']),
      ...(backend === 'serverless' ? { provider: pick(['together', 'fireworks']) } : {}),
      promptTokens,
      // Every fourth request had half its prompt served from the provider's prompt cache.
      ...(i % 4 === 0 ? { cachedPromptTokens: Math.floor(promptTokens / 2) } : {}),
      completionTokens: Math.floor(r() * 300),
      costMicroUsd: cached ? 0 : Math.floor(r() * 5000),
      ...(cached ? { cacheSavedMicroUsd: Math.floor(r() * 900) } : {}),
      latencyMs: Math.floor(r() * r() * 4000),
      timeMs: NOW - 3 * DAY + Math.floor(r() * 3 * DAY),
    });
  });
}

function client(store: UsageStore & BudgetStore): Client<typeof LedgerService> {
  const impl = createLedgerHandler({ store, catalog: testCatalog, clock: () => new Date(NOW) });
  return createClient(LedgerService, createRouterTransport(({ service }) => service(LedgerService, impl)));
}

/** Every report the ledger answers from usage, over periods whose edges are whole hours (partial days included). */
async function allReports(c: Client<typeof LedgerService>): Promise<unknown> {
  const at = (ms: number) => timestampFromMs(ms);
  const periods: Array<[number, number]> = [
    [NOW - 3 * DAY, NOW + 1],
    [NOW - 2 * DAY - 5 * HOUR_MS, NOW - 7 * HOUR_MS],
    [NOW - DAY, NOW - DAY + HOUR_MS],
  ];
  const out: unknown[] = [];
  for (const [start, end] of periods) {
    for (const tenant of ['', 'acme']) {
      out.push(await c.queryUsage({ start: at(start), end: at(end), tenant, groupBy: [Dimension.TENANT, Dimension.MODEL, Dimension.PROVIDER, Dimension.DAY] }));
      out.push(await c.getUsageReport({ start: at(start), end: at(end), tenant, groupBy: [Dimension.MODEL, Dimension.BACKEND, Dimension.WORKLOAD_TAG] }));
      out.push(await c.getUsageReport({ start: at(start), end: at(end), tenant, groupBy: [] }));
      out.push(await c.getSavingsReport({ start: at(start), end: at(end), tenant }));
    }
  }
  out.push(await c.getBreakEven({ days: 3 }));
  return out;
}

async function compactAll(store: CompactingStore, rawMs: number, bucketMs: number): Promise<number> {
  let total = 0;
  for (let n = -1; n !== 0; total += n) n = await store.compact(NOW, rawMs, bucketMs, 97);
  return total;
}

/** A store that compacts, and how many raw events it holds. */
interface CompactingStore extends UsageStore, BudgetStore {
  compact(nowMs: number, rawMs: number, bucketMs: number, maxEvents?: number): number | Promise<number>;
  prune(nowMs: number, retentionMs: number): number | Promise<number>;
}
type Fresh = () => Promise<{ store: CompactingStore; rawEvents: () => Promise<number> }>;

describe('usage compaction', () => {
  it('cuts at whole buckets before the raw window', () => {
    expect(compactionCutoff(NOW + 30 * 60_000, HOUR_MS, HOUR_MS)).toBe(NOW - HOUR_MS);
    expect(compactionCutoff(NOW, 2 * 60_000, 60_000)).toBe(NOW - 2 * 60_000);
    expect(compactionCutoff(5, HOUR_MS, HOUR_MS)).toBe(0);
  });

  it('folds events per bucket and group into summaries whose multisets keep every latency and token pair', () => {
    const base = { tenant: 'acme', model: 'small', backend: 'serverless' as const, provider: 'together' };
    const buckets = summariseByBucket(
      [
        usageRecord({ requestId: 'a', ...base, timeMs: NOW + 1, latencyMs: 5, promptTokens: 10, completionTokens: 1, costMicroUsd: 3 }),
        usageRecord({ requestId: 'b', ...base, timeMs: NOW + 2, latencyMs: 5, promptTokens: 10, completionTokens: 2, costMicroUsd: 4, cacheSavedMicroUsd: 8 }),
        usageRecord({ requestId: 'c', ...base, timeMs: NOW + HOUR_MS, latencyMs: 9, promptTokens: 10, completionTokens: 1, costMicroUsd: 5 }),
        usageRecord({ requestId: 'd', ...base, provider: 'fireworks', timeMs: NOW + 3, latencyMs: 9, promptTokens: 10, completionTokens: 1, costMicroUsd: 6 }),
      ],
      HOUR_MS,
    );
    expect(buckets.map((b) => [b.bucketMs - NOW, b.summary.requests, b.summary.costMicroUsd, b.summary.cacheHits, b.summary.cacheSavedMicroUsd, [...b.summary.latencies], [...b.summary.tokenPairs]])).toEqual([
      [0, 2n, 7n, 1n, 8n, [[5, 2]], [['10,1', 1], ['10,2', 1]]],
      [HOUR_MS, 1n, 5n, 0n, 0n, [[9, 1]], [['10,1', 1]]],
      [0, 1n, 6n, 0n, 0n, [[9, 1]], [['10,1', 1]]],
    ]);
    const stored = buckets[0]!.summary;
    expect(decodeSummary('row', encodeSummary(stored))).toEqual(stored);
    expect(() => decodeSummary('row 7', encodeSummary(stored).replace('"latencies":[[5,2]]', '"latencies":[[5,-2]]'))).toThrow('corrupt usage summary at row 7: latencies');
    expect(() => decodeSummary('row 8', '{')).toThrow('corrupt usage summary at row 8: not JSON');
  });

});

/** The compaction contract: the same on the embedded store and on Redis. */
function compactionContract(fresh: Fresh): void {
  it('answers every report the same before and after compaction (usage with latency percentiles, savings, QueryUsage, break-even), and holds raw events only for the raw window', async () => {
    const { store, rawEvents } = await fresh();
    for (const e of events(1500)) await store.record(e);
    const c = client(store);
    const before = await allReports(c);
    expect(await rawEvents()).toBe(1500);
    expect((before as Array<{ total?: { cachedPromptTokens: bigint } }>)[0]!.total!.cachedPromptTokens).toBeGreaterThan(0n); // prompt-cache hits are compared too

    const compacted = await compactAll(store, HOUR_MS, HOUR_MS);
    const cutoff = compactionCutoff(NOW, HOUR_MS, HOUR_MS);
    const young = events(1500).filter((e) => e.timeMs >= cutoff).length;
    expect(compacted).toBe(1500 - young);
    expect(await rawEvents()).toBe(young);
    expect(await allReports(c)).toEqual(before);

    // Finer buckets, a second pass over what is left, and nothing left to do: the same answers.
    expect(await compactAll(store, 0, 60_000)).toBe(young);
    expect(await compactAll(store, 0, 60_000)).toBe(0);
    expect(await rawEvents()).toBe(0);
    expect(await allReports(c)).toEqual(before);
    // 1,500 records and four rounds of every report: ≈ 25–30 s on a machine at load ≈ 20, so not jest's default 30 s.
  }, 120_000);

  it('keeps request ids for the raw window only: a retried commit inside it is not counted twice; one of a compacted event counts again (documented)', async () => {
    const { store } = await fresh();
    await store.record(usageRecord({ requestId: 'old', timeMs: NOW - 5 * HOUR_MS, costMicroUsd: 7 }));
    await store.record(usageRecord({ requestId: 'young', timeMs: NOW - 10, costMicroUsd: 11 }));
    expect(await compactAll(store, HOUR_MS, HOUR_MS)).toBe(1);
    expect((await store.record(usageRecord({ requestId: 'young', timeMs: NOW - 10, costMicroUsd: 11 }))).recorded).toBe(false);
    expect((await store.record(usageRecord({ requestId: 'old', timeMs: NOW - 5 * HOUR_MS, costMicroUsd: 7 }))).recorded).toBe(true);
    const total = (await store.query({ startMs: 0, endMs: NOW + 1, groupBy: [] })).total;
    expect(total).toEqual({ requests: 3n, promptTokens: 300n, completionTokens: 150n, costMicroUsd: 25n, cachedPromptTokens: 0n });
    // A late event of a compacted bucket joins that bucket's summary at the next pass.
    expect(await compactAll(store, HOUR_MS, HOUR_MS)).toBe(1);
    const seen: bigint[] = [];
    await store.scan(0, NOW + 1, undefined, (s) => seen.push(s.requests));
    expect(seen.sort()).toEqual([1n, 2n]);
  });

  it('prunes summaries past the retention window with the raw events, keeping whole-day roll-ups', async () => {
    const { store } = await fresh();
    await store.record(usageRecord({ requestId: 'a', timeMs: NOW - 3 * DAY + 5, costMicroUsd: 7 }));
    await store.record(usageRecord({ requestId: 'b', timeMs: NOW - 10, costMicroUsd: 11 }));
    await compactAll(store, HOUR_MS, HOUR_MS);
    await store.prune(NOW, 2 * DAY);
    const seen: bigint[] = [];
    await store.scan(0, NOW + 1, undefined, (s) => seen.push(s.costMicroUsd));
    expect(seen).toEqual([11n]);
    const byDay = await store.query({ startMs: Date.UTC(2026, 10, 23), endMs: NOW + 1, groupBy: ['day'] });
    expect(byDay.rows.map((r) => [r.keys, r.costMicroUsd])).toEqual([
      [['2026-11-23'], 7n],
      [['2026-11-26'], 11n],
    ]);
    expect(summaryOf(usageRecord({ requestId: 'x' })).requests).toBe(1n);
  });
}

describe('usage compaction on the embedded store (SQLite)', () =>
  compactionContract(async () => {
    const { db } = memoryStateDatabase(LEDGER_SCHEMA);
    return { store: createSqliteUsageStore(db, { log: false }), rawEvents: async () => (db.prepare('SELECT count(*) AS n FROM ledger_usage').get() as { n: number }).n };
  }));

describeWithRedis('usage compaction on Redis (real redis-server)', (suite) => {
  let n = 0;
  compactionContract(async () => {
    const prefix = `{compact${n++}}:`;
    return { store: createRedisUsageStore({ redis: suite.redis(), keyPrefix: prefix, pageSize: 100 }), rawEvents: () => suite.redis().zcard(`${prefix}by-time`) };
  });

  it('lets one replica compact at a time (a lease), and the other takes over once it is released', async () => {
    const redis = suite.redis();
    const prefix = `{compact${n++}}:`;
    const a = createRedisUsageStore({ redis, keyPrefix: prefix });
    const b = createRedisUsageStore({ redis, keyPrefix: prefix });
    for (let i = 0; i < 10; i++) await a.record(usageRecord({ requestId: `l${i}`, timeMs: NOW - 5 * HOUR_MS + i }));
    expect(await a.compact(NOW, HOUR_MS, HOUR_MS, 4)).toBe(4);
    expect(await b.compact(NOW, HOUR_MS, HOUR_MS, 4)).toBe(0);
    expect(await a.compact(NOW, HOUR_MS, HOUR_MS, 4)).toBe(4);
    expect(await a.compact(NOW, HOUR_MS, HOUR_MS, 4)).toBe(2);
    await b.record(usageRecord({ requestId: 'late', timeMs: NOW - 5 * HOUR_MS + 99 }));
    expect(await b.compact(NOW, HOUR_MS, HOUR_MS, 4)).toBe(1);
    expect((await a.query({ startMs: 0, endMs: NOW, groupBy: [] })).total.requests).toBe(11n);
    expect(await redis.hlen(`${prefix}compact`)).toBe(1);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Redis } from 'ioredis';
import { createDuckDbWarehouse, type DuckDbWarehouse } from './duckdb-warehouse.ts';
import { memoryLedgerStore } from './testing/memory-ledger-store.ts';
import { createRedisLedgerLog } from './redis-ledger-log.ts';
import { redisLedgerKeys } from './redis-ledger-keys.ts';
import { createRedisUsageStore } from './redis-usage-store.ts';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { T0, usageRecord } from './usage-store-contract.ts';
import { createWarehouseSink } from './warehouse-sink.ts';
import type { Warehouse } from './warehouse.ts';

const audit = (auditId: string) => ({ auditId, timeMs: T0, actor: 'ops', action: 'budget.set', subject: 'acme', details: '{}' });

/** A sink over the in-process log writing to a warehouse that only counts each batch's usage rows. */
function countingSink(options: { batchWindowMs: number; blockMs?: number }) {
  const store = memoryLedgerStore();
  const batches: number[] = [];
  const counting: Warehouse = {
    write: (batch) => {
      batches.push(batch.usage.length);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  let firstWritten = (): void => undefined;
  const first = new Promise<void>((resolve) => (firstWritten = resolve));
  const sink = createWarehouseSink({ log: store.log, warehouse: counting, ...options, onBatch: () => firstWritten() });
  return { store, batches, first, sink };
}

describe('warehouse sink with the in-process log and DuckDB', () => {
  let warehouse: DuckDbWarehouse;
  beforeEach(async () => {
    warehouse = await createDuckDbWarehouse(':memory:');
  });
  afterEach(async () => {
    await warehouse.close();
  });

  it('writes every new event and audit entry once', async () => {
    const store = memoryLedgerStore();
    await store.record(usageRecord({ requestId: 'a', costMicroUsd: 7 }));
    await store.record(usageRecord({ requestId: 'a', costMicroUsd: 7 }));
    await store.record(usageRecord({ requestId: 'b', costMicroUsd: 11, apiKey: 'k1' }));
    await store.appendAudit(audit('x1'));
    const sink = createWarehouseSink({ log: store.log, warehouse, blockMs: 20 });
    await sink.drained();
    await store.record(usageRecord({ requestId: 'c', costMicroUsd: 13 }));
    await sink.drained();
    store.log.interrupt();
    await sink.stop();
    expect(await warehouse.totals()).toEqual({ requests: 3n, costMicroUsd: 31n, audits: 1n });
    expect(await warehouse.query("SELECT api_key FROM usage_events WHERE request_id = 'b'")).toEqual([{ api_key: 'k1' }]);
  });

  it('exports a cache hit with its flag and what it saved, apart from its zero cost', async () => {
    await warehouse.write({ usage: [usageRecord({ requestId: 'hit', costMicroUsd: 0, cacheSavedMicroUsd: 42 }), usageRecord({ requestId: 'paid', costMicroUsd: 5 })], audit: [] });
    expect(await warehouse.query('SELECT request_id, cost_micro_usd, cache_hit, cache_saved_micro_usd FROM usage_events ORDER BY request_id')).toEqual([
      { request_id: 'hit', cost_micro_usd: '0', cache_hit: true, cache_saved_micro_usd: '42' },
      { request_id: 'paid', cost_micro_usd: '5', cache_hit: false, cache_saved_micro_usd: '0' },
    ]);
  });

  it('exports the prompt tokens served from the provider\'s cache', async () => {
    await warehouse.write({ usage: [usageRecord({ requestId: 'cached', promptTokens: 100, cachedPromptTokens: 64 }), usageRecord({ requestId: 'plain' })], audit: [] });
    expect(await warehouse.query('SELECT request_id, cached_prompt_tokens FROM usage_events ORDER BY request_id')).toEqual([
      { request_id: 'cached', cached_prompt_tokens: '64' },
      { request_id: 'plain', cached_prompt_tokens: '0' },
    ]);
  });

  it('adds the cache columns to a file written before them, its old rows reading no hit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sophia-warehouse-'));
    try {
      const path = join(dir, 'old.duckdb');
      const old = await DuckDBInstance.create(path);
      const con = await old.connect();
      await con.run(`CREATE TABLE usage_events (request_id VARCHAR PRIMARY KEY, tenant VARCHAR NOT NULL, model VARCHAR NOT NULL, backend VARCHAR NOT NULL,
        tier VARCHAR NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cost_micro_usd BIGINT NOT NULL, catalog_version VARCHAR NOT NULL,
        time_ms BIGINT NOT NULL, latency_ms BIGINT NOT NULL, fallback BOOLEAN NOT NULL, completed BOOLEAN NOT NULL, workload_tag VARCHAR NOT NULL, target VARCHAR NOT NULL,
        api_key VARCHAR NOT NULL)`);
      await con.run(`INSERT INTO usage_events VALUES ('before', 'acme', 'm', 'gpu', 'simple', 1, 1, 3, 'v', 0, 1, false, true, '', 'gpu:a', '')`);
      con.closeSync();
      old.closeSync();
      const reopened = await createDuckDbWarehouse(path);
      await reopened.write({ usage: [usageRecord({ requestId: 'after', costMicroUsd: 0, cacheSavedMicroUsd: 9 })], audit: [] });
      expect(await reopened.query('SELECT request_id, cache_hit, cache_saved_micro_usd, cached_prompt_tokens FROM usage_events ORDER BY request_id')).toEqual([
        { request_id: 'after', cache_hit: true, cache_saved_micro_usd: '9', cached_prompt_tokens: '0' },
        { request_id: 'before', cache_hit: false, cache_saved_micro_usd: '0', cached_prompt_tokens: '0' },
      ]);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is idempotent when a batch is written again', async () => {
    const batch = { usage: [usageRecord({ requestId: 'a' }), usageRecord({ requestId: 'a' }), usageRecord({ requestId: 'b' })], audit: [audit('x')] };
    await warehouse.write(batch);
    await warehouse.write(batch);
    expect(await warehouse.totals()).toEqual({ requests: 2n, costMicroUsd: 10n, audits: 1n });
  });

  it('writes the records that arrive during the batch window as one batch', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const { store, batches, first, sink } = countingSink({ batchWindowMs: 250 });
      await store.record(usageRecord({ requestId: 'a' }));
      await first;
      for (const requestId of ['b', 'c', 'd']) await store.record(usageRecord({ requestId }));
      await new Promise((resolve) => setImmediate(resolve));
      // The first record after a quiet spell went at once; the next three wait for the window.
      expect(batches).toEqual([1]);
      await jest.advanceTimersByTimeAsync(250);
      await sink.drained();
      expect(batches).toEqual([1, 3]);
      await sink.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('stops waiting out the batch window when asked to drain (shutdown)', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const { store, batches, first, sink } = countingSink({ batchWindowMs: 60_000, blockMs: 10 });
      await store.record(usageRecord({ requestId: 'a' }));
      await first;
      await store.record(usageRecord({ requestId: 'b' }));
      const drained = sink.drained();
      // A second of (fake) time is plenty for the log's 10 ms reads, nowhere near the 60 s window.
      for (let i = 0; i < 100 && batches.length < 2; i++) await jest.advanceTimersByTimeAsync(10);
      expect(batches).toEqual([1, 1]);
      await jest.advanceTimersByTimeAsync(10);
      await drained;
      store.log.interrupt();
      await sink.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps entries whose write failed and writes them on retry', async () => {
    const store = memoryLedgerStore();
    await store.record(usageRecord({ requestId: 'a' }));
    let failures = 1;
    const flaky: Warehouse = {
      write: (batch) => (failures-- > 0 ? Promise.reject(new Error('warehouse down')) : warehouse.write(batch)),
      close: () => Promise.resolve(),
    };
    const errors: string[] = [];
    const sink = createWarehouseSink({ log: store.log, warehouse: flaky, blockMs: 20, retryMs: 5, logger: { info: () => undefined, error: (_, m) => errors.push(m) } });
    await sink.drained();
    store.log.interrupt();
    await sink.stop();
    expect(errors).toEqual(['warehouse sink: write failed, will retry']);
    expect((await warehouse.totals()).requests).toBe(1n);
  });
});

const available = redisServerAvailable();
if (!available) console.warn('redis-server not found on PATH: skipping the Redis log tests');
const describeRedis = available ? describe : describe.skip;

describeRedis('Redis ledger log (stream + consumer group)', () => {
  let server: TestRedisServer;
  let clients: Redis[] = [];
  const client = async (): Promise<Redis> => {
    const c = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await c.connect();
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    clients = [];
  });
  afterAll(async () => {
    await server.stop();
  });

  it('appends each new record to the stream in the record script, and a dead consumer’s entries are claimed', async () => {
    const prefix = '{log-1}:';
    const keys = redisLedgerKeys(prefix);
    const store = createRedisUsageStore({ redis: await client(), keyPrefix: prefix });
    for (let i = 0; i < 10; i++) await store.record(usageRecord({ requestId: `r${i}`, costMicroUsd: i }));
    await store.record(usageRecord({ requestId: 'r0', costMicroUsd: 0 }));
    await store.appendAudit(audit('a1'));
    const redis = await client();
    expect(await redis.xlen(keys.log)).toBe(11);

    // A consumer that takes a batch and dies before acknowledging it.
    const crashed = await createRedisLedgerLog({ redis, keys, consumer: 'crashed', claimIdleMs: 30 });
    expect(await crashed.read(4, 0)).toHaveLength(4);

    const warehouse = await createDuckDbWarehouse(':memory:');
    const survivor = await createRedisLedgerLog({ redis: await client(), keys, consumer: 'survivor', claimIdleMs: 30 });
    await new Promise((r) => setTimeout(r, 40));
    const sink = createWarehouseSink({ log: survivor, warehouse, blockMs: 20, batchSize: 3 });
    await sink.drained();
    await sink.stop();
    expect(await warehouse.totals()).toEqual({ requests: 10n, costMicroUsd: 45n, audits: 1n });
    expect(await redis.xlen(keys.log)).toBe(0);
    expect(await redis.xpending(keys.log, 'warehouse')).toEqual([0, null, null, null]);
    await warehouse.close();
  });
});

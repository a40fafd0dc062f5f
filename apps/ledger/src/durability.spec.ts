// Durable usage events with real processes and a real Redis: a load run of reserve → commit pairs
// while the warehouse sink and then the ledger are killed with SIGKILL and restarted. Afterwards the
// DuckDB warehouse holds every committed event exactly once and its total equals the ledger's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, ConnectError } from '@connectrpc/connect';
import { Redis } from 'ioredis';
import { Backend } from '@sophia/contracts/common';
import { priceUsage } from '@sophia/price-catalog';
import { testCatalog, testCatalogFile } from '@sophia/price-catalog/testing';
import { writeFileSync } from 'node:fs';
import { createDuckDbWarehouse } from './duckdb-warehouse.ts';
import { redisLedgerKeys } from './redis-ledger-keys.ts';
import { startLedgerProcess, startSinkProcess, type TestLedger, type TestProcess } from './testing/ledger-process.ts';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';

const available = redisServerAvailable();
if (!available) console.warn('redis-server not found on PATH: skipping the SIGKILL durability test');
const describeRedis = available ? describe : describe.skip;

const REQUESTS = 300;
const CONCURRENCY = 10;
const PREFIX = '{durable}:';

describeRedis('durable usage events (SIGKILL of the sink and of the ledger mid-load)', () => {
  let redis: TestRedisServer;
  let dir: string;
  let env: Record<string, string>;
  let ledger: TestLedger | undefined;
  let sink: TestProcess | undefined;

  beforeAll(async () => {
    redis = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), 'ledger-durable-'));
    const catalogPath = join(dir, 'catalog.json');
    writeFileSync(catalogPath, JSON.stringify(testCatalogFile()));
    env = {
      SOPHIA_REDIS_URL: redis.url,
      SOPHIA_LEDGER_REDIS_PREFIX: PREFIX,
      SOPHIA_CATALOG_PATH: catalogPath,
      SOPHIA_WAREHOUSE_SINK: 'none',
      SOPHIA_WAREHOUSE_PATH: join(dir, 'warehouse.duckdb'),
      SOPHIA_WAREHOUSE_CLAIM_IDLE_MS: '200',
      SOPHIA_DATA_DIR: dir,
    };
  });
  afterAll(async () => {
    await ledger?.stop('SIGKILL');
    await sink?.stop('SIGKILL');
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing and counts nothing twice', async () => {
    ledger = await startLedgerProcess(env);
    sink = await startSinkProcess(env);
    const completions = Array.from({ length: REQUESTS }, (_, i) => 1 + ((i * 37) % 500));
    let done = 0;
    let sinkKilled = false;
    let ledgerKilled = false;
    let restarting: Promise<void> | undefined;

    /** Calls the current ledger, retrying (same request id: idempotent) while it is down or restarting. */
    const withRetry = async <T>(call: (l: TestLedger) => Promise<T>): Promise<T> => {
      for (;;) {
        if (restarting) await restarting;
        try {
          return await call(ledger!);
        } catch (error) {
          const code = ConnectError.from(error).code;
          if (code !== Code.Unavailable && code !== Code.Unknown && code !== Code.Internal && code !== Code.Canceled) throw error;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };

    const run = async (i: number): Promise<void> => {
      const requestId = `load-${i}`;
      await withRetry((l) => l.client.reserve({ requestId, tenant: 'acme', model: 'small', backend: Backend.SERVERLESS, promptTokens: 1000, maxTokens: 500 }));
      const usage = { promptTokens: 1000, completionTokens: completions[i]!, totalTokens: 0 };
      await withRetry((l) =>
        l.client.commit({ reservationId: requestId, event: { requestId, tenant: 'acme', model: 'small', backend: Backend.SERVERLESS, usage, completed: true } }),
      );
      done++;
      if (!sinkKilled && done >= REQUESTS / 3) {
        sinkKilled = true;
        await sink!.stop('SIGKILL');
        sink = await startSinkProcess(env);
      }
      if (!ledgerKilled && done >= (2 * REQUESTS) / 3) {
        ledgerKilled = true;
        restarting = (async () => {
          await ledger!.stop('SIGKILL');
          ledger = await startLedgerProcess(env);
        })();
        await restarting;
        restarting = undefined;
      }
    };

    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) await run(next++);
      }),
    );
    expect([sinkKilled, ledgerKilled]).toEqual([true, true]);

    const catalog = testCatalog();
    const expected = completions.reduce((sum, c) => sum + BigInt(priceUsage(catalog, 'small', 'serverless', { promptTokens: 1000, completionTokens: c })), 0n);
    const usage = await ledger.client.queryUsage({});
    expect(usage.total).toMatchObject({ requests: BigInt(REQUESTS), cost: { microUsd: expected } });

    // Wait until the sink has written and acknowledged everything (the jest timeout bounds this).
    const probe = new Redis(redis.url);
    const keys = redisLedgerKeys(PREFIX);
    while ((await probe.xlen(keys.log)) > 0) await new Promise((r) => setTimeout(r, 50));
    await probe.quit();
    expect(await sink.stop('SIGTERM')).toBe(0);
    sink = undefined;

    const warehouse = await createDuckDbWarehouse(env['SOPHIA_WAREHOUSE_PATH']!);
    try {
      expect(await warehouse.totals()).toEqual({ requests: BigInt(REQUESTS), costMicroUsd: expected, audits: 0n });
      expect(await warehouse.query('SELECT count(DISTINCT request_id) AS n FROM usage_events')).toEqual([{ n: String(REQUESTS) }]);
    } finally {
      await warehouse.close();
    }
  }, 120_000);
});

// Benchmark: reserve + commit pairs per second through a real ledger process (gRPC) against a real
// redis-server on this machine, and the latency a pair adds to a request (p50 / p99).
// `npm run bench -w @sophia/ledger` (options: --pairs N, --concurrency C (repeatable), --sink in-process|none).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Backend } from '@sophia/contracts/common';
import { startLedgerProcess, type TestLedger } from '../testing/ledger-process.ts';
import { startRedisServer } from '@sophia/platform/testing';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '5000' },
    concurrency: { type: 'string', multiple: true, default: ['1', '16', '64'] },
    /** `in-process` (default: the ledger also drains the log into DuckDB) or `none`. */
    sink: { type: 'string', default: 'in-process' },
  },
});
const pairs = Number(values.pairs);
if (!Number.isSafeInteger(pairs) || pairs <= 0) throw new Error(`--pairs must be a positive integer, got ${values.pairs}`);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

const redis = await startRedisServer();
const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
let ledger: TestLedger | undefined;
try {
  ledger = await startLedgerProcess(
    { SOPHIA_REDIS_URL: redis.url, SOPHIA_DATA_DIR: dir, SOPHIA_WAREHOUSE_PATH: join(dir, 'warehouse.duckdb'), SOPHIA_LOG_LEVEL: 'error', SOPHIA_WAREHOUSE_SINK: values.sink },
    join(import.meta.dirname, '..'),
  );
  const client = ledger.client;
  // Baseline: a Quote (catalog only, no Redis) through the same gRPC stack, to separate RPC overhead.
  const quoteMs: number[] = [];
  for (let i = 0; i < Math.min(pairs, 500); i++) {
    const t0 = performance.now();
    await client.quote({ model: 'meta-llama/Llama-3.1-8B-Instruct', backend: Backend.SERVERLESS, promptTokens: 800, maxTokens: 400 });
    quoteMs.push(performance.now() - t0);
  }
  const q = [...quoteMs].sort((a, b) => a - b);
  console.log(`baseline Quote RPC (no Redis), sequential: p50 ${percentile(q, 0.5).toFixed(2)} ms, p99 ${percentile(q, 0.99).toFixed(2)} ms`);
  let run = 0;
  for (const c of values.concurrency) {
    const concurrency = Number(c);
    run++;
    const reserveMs: number[] = [];
    const commitMs: number[] = [];
    const pairMs: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < pairs) {
          const requestId = `bench-${run}-${next++}`;
          const t0 = performance.now();
          await client.reserve({ requestId, tenant: 'bench', model: 'meta-llama/Llama-3.1-8B-Instruct', backend: Backend.SERVERLESS, promptTokens: 800, maxTokens: 400 });
          const t1 = performance.now();
          await client.commit({
            reservationId: requestId,
            event: {
              requestId,
              tenant: 'bench',
              model: 'meta-llama/Llama-3.1-8B-Instruct',
              backend: Backend.SERVERLESS,
              usage: { promptTokens: 800, completionTokens: 250 },
              latencyMs: 900,
              completed: true,
            },
          });
          const t2 = performance.now();
          reserveMs.push(t1 - t0);
          commitMs.push(t2 - t1);
          pairMs.push(t2 - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const fmt = (xs: number[]): string => {
      const s = [...xs].sort((a, b) => a - b);
      return `p50 ${percentile(s, 0.5).toFixed(2)} ms, p99 ${percentile(s, 0.99).toFixed(2)} ms`;
    };
    console.log(
      `concurrency ${concurrency}: ${pairs} pairs in ${seconds.toFixed(2)} s = ${(pairs / seconds).toFixed(0)} reserve+commit pairs/s; ` +
        `reserve ${fmt(reserveMs)}; commit ${fmt(commitMs)}; pair ${fmt(pairMs)}`,
    );
  }
} finally {
  await ledger?.stop();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}

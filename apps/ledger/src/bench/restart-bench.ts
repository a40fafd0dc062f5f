// `node apps/ledger/src/bench/restart-bench.ts [--records 100000] [--runs 5]`: how long an embedded
// ledger takes from process start to serving (its `listening` line) on a data directory that already
// holds N usage records, budgets and live reservations — and after a SIGKILL that left a WAL behind.
// Prints the median of the runs per case. Everything lives in a temporary directory, removed at the end.
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDataDir } from '@sophia/state-store';
import { tempDataDir } from '@sophia/state-store/testing';
import { LEDGER_SCHEMA } from '../ledger-schema.ts';
import { createSqliteUsageStore } from '../sqlite-usage-store.ts';
import { startLedgerProcess } from '../testing/ledger-process.ts';

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' } } });
const records = Number(values.records);
const runs = Number(values.runs);
const srcDir = join(import.meta.dirname, '..');
const temp = tempDataDir('restart-bench-');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

try {
  const state = openDataDir({ dataDir: temp.dir, sync: 'normal' }, [LEDGER_SCHEMA]);
  const store = createSqliteUsageStore(state.db, { log: false });
  const now = Date.now();
  const write = async (from: number, to: number): Promise<void> => {
    for (let i = from; i < to; i++) {
      await store.record({
        requestId: `r${i}`, tenant: `t${i % 50}`, model: 'meta-llama/Llama-3.1-8B-Instruct', backend: 'serverless', tier: 'simple',
        promptTokens: 100, completionTokens: 50, costMicroUsd: 5, catalogVersion: 'bench', timeMs: now - (i % 30) * 86_400_000,
        latencyMs: 10, fallback: false, completed: true, workloadTag: '', target: 'serverless:x',
      });
    }
  };
  await write(0, records);
  await store.setLimit({ tenant: 't1', apiKey: '', model: '' }, 'day', 1_000_000);
  for (let i = 0; i < 100; i++) await store.reserve({ tenant: 't1', reservationId: `h${i}`, amountMicroUsd: 10, nowMs: now, ttlMs: 600_000 });
  state.close();
  const fileMiB = statSync(join(temp.dir, 'sophia.db')).size / 2 ** 20;

  const timeToServe = async (kill: boolean): Promise<number> => {
    const t0 = performance.now();
    const ledger = await startLedgerProcess({ SOPHIA_DATA_DIR: temp.dir, SOPHIA_WAREHOUSE_SINK: 'none', SOPHIA_LOG_LEVEL: 'error' }, srcDir);
    const ms = performance.now() - t0;
    if (kill) {
      // Leave a WAL: a few commits, then SIGKILL.
      for (let i = 0; i < 20; i++) await ledger.client.setBudget({ scope: { tenant: `k${i}` }, window: 1, limit: { microUsd: 5n }, actor: 'bench' });
      await ledger.stop('SIGKILL');
    } else {
      await ledger.stop('SIGTERM');
    }
    return ms;
  };
  const clean: number[] = [];
  const afterKill: number[] = [];
  for (let r = 0; r < runs; r++) {
    clean.push(await timeToServe(true));
    afterKill.push(await timeToServe(false));
  }
  process.stdout.write(
    `${records} records (${fileMiB.toFixed(1)} MiB file), ${runs} runs: start → serving median ${median(clean).toFixed(0)} ms after a clean stop, ${median(afterKill).toFixed(0)} ms after a SIGKILL (WAL replayed)\n`,
  );
} finally {
  rmSync(temp.dir, { recursive: true, force: true });
}

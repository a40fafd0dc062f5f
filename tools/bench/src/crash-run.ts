import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { BudgetWindow, LedgerService } from '@sophia/contracts/ledger';
import { findRepoRoot } from '@sophia/dev';
import { createServiceClient } from '@sophia/platform';
import { startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { median } from './latency-stats.ts';

/**
 * `node tools/bench/src/crash-run.ts [--deployment single-process] [--redis] [--requests 200] [--runs 3]`:
 * #20's crash as a new user meets it. `npm start` (tools/dev/src/main.ts) in its own process group on a
 * fresh data directory, a $500 daily budget for tenant `crash`, `--requests` chat completions (8 at a
 * time), then SIGKILL of the whole process group (and of any mesh process still alive), then `npm start`
 * again: prints per run the requests answered 200, the ledger's QueryUsage and BudgetStatus after the
 * restart, the warehouse's events (read after a clean stop, so the sink had drained the durable log) and
 * the time from the restart's spawn to its first 200; then the medians. With --redis, a redis-server of
 * its own (it is not killed: the mesh crashes, Redis does not).
 */
const { values } = parseArgs({
  options: {
    deployment: { type: 'string', default: 'single-process' },
    redis: { type: 'boolean', default: false },
    requests: { type: 'string', default: '200' },
    runs: { type: 'string', default: '3' },
  },
});
const root = findRepoRoot();
const REQUESTS = Number(values.requests);
const LIMIT_MICRO_USD = 500_000_000n;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

interface Started {
  readonly child: ChildProcess;
  /** Every pid `npm start` printed for its services. */
  readonly pids: number[];
}

/** `npm start` in its own process group; resolves once it printed that the mesh is up. */
function npmStart(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, ['tools/dev/src/main.ts'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => void (err = (err + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`npm start exited (${code ?? signal}) before the mesh was up:\n${err}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Try:')) resolve({ child, pids: [...new Set([...out.matchAll(/ pid (\d+) /g)].map((m) => Number(m[1])))] });
    });
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A process's group id from /proc (field 5 of its stat line), undefined when it is gone. */
const processGroupOf = (pid: number): number | undefined => {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[2]);
  } catch {
    return undefined;
  }
};

/** SIGKILL of the process group, then of any printed service process outside it; waits until all are gone. */
async function crash(started: Started): Promise<number> {
  const outside = started.pids.filter((pid) => processGroupOf(pid) !== started.child.pid);
  process.kill(-started.child.pid!, 'SIGKILL');
  for (const pid of outside) process.kill(pid, 'SIGKILL');
  while ([started.child.pid!, ...started.pids].some(alive)) await new Promise((r) => setTimeout(r, 20));
  return outside.length;
}

async function stopCleanly(started: Started): Promise<void> {
  const exited = new Promise((r) => started.child.once('exit', r));
  process.kill(-started.child.pid!, 'SIGTERM');
  await exited;
  while (started.pids.some(alive)) await new Promise((r) => setTimeout(r, 50));
}

async function chat(gatewayPort: number, key: string, i: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${gatewayPort}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: `Request ${i}: one line on why budgets matter.` }], max_tokens: 32 }),
  }).catch(() => undefined);
  if (!res) return 0;
  await res.arrayBuffer();
  return res.status;
}

async function warehouseEvents(dataDir: string): Promise<{ events: number; distinct: number; costMicroUsd: bigint }> {
  const instance = await DuckDBInstance.create(join(dataDir, 'warehouse.duckdb'), { access_mode: 'READ_ONLY' });
  const con = await instance.connect();
  try {
    const reader = await con.runAndReadAll("SELECT COUNT(*) AS n, COUNT(DISTINCT request_id) AS d, COALESCE(SUM(cost_micro_usd), 0) AS c FROM usage_events WHERE tenant = 'crash'");
    const row = reader.getRowObjectsJson()[0] as Record<string, unknown>;
    return { events: Number(row['n']), distinct: Number(row['d']), costMicroUsd: BigInt(String(row['c'])) };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

interface RunResult {
  answered: number;
  recorded: number;
  budgetLimitMicroUsd: bigint | undefined;
  spentMicroUsd: bigint | undefined;
  ledgerCostMicroUsd: bigint;
  warehouse: { events: number; distinct: number; costMicroUsd: bigint };
  killedOutsideGroup: number;
  /** The first start on the empty directory, spawn → "mesh is up" printed: what a restart is compared with. */
  freshStartMs: number;
  restartToServingMs: number;
}

async function run(redis: TestRedisServer | undefined): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crash-run-'));
  try {
    // Free ports chosen here can be taken by another process before the mesh binds them: pick again then.
    let ports: { gatewayPort: number; ledgerPort: number; env: NodeJS.ProcessEnv; first: Started; freshStartMs: number } | undefined;
    for (let attempt = 1; ports === undefined; attempt++) {
      const [gatewayPort, ledgerPort] = [await freePort(), await freePort()];
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        SOPHIA_DATA_DIR: dataDir,
        SOPHIA_DEPLOYMENT: values.deployment,
        SOPHIA_GATEWAY_PORT: String(gatewayPort),
        SOPHIA_LEDGER_PORT: String(ledgerPort),
        SOPHIA_API_KEYS: 'crash-key:crash,probe-key:probe',
      };
      if (redis) env['SOPHIA_REDIS_URL'] = redis.url;
      else delete env['SOPHIA_REDIS_URL'];
      const firstAt = performance.now();
      try {
        const first = await npmStart(env);
        ports = { gatewayPort, ledgerPort, env, first, freshStartMs: Math.round(performance.now() - firstAt) };
      } catch (error) {
        if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
      }
    }
    const { gatewayPort, ledgerPort, env, first, freshStartMs } = ports;
    const ledger = createServiceClient(LedgerService, `127.0.0.1:${ledgerPort}`);
    await ledger.setBudget({ scope: { tenant: 'crash' }, window: BudgetWindow.DAY, limit: { microUsd: LIMIT_MICRO_USD }, actor: 'crash-run' });
    let next = 0;
    let answered = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < REQUESTS) if ((await chat(gatewayPort, 'crash-key', next++)) === 200) answered += 1;
      }),
    );
    const killedOutsideGroup = await crash(first);
    const restartAt = performance.now();
    const startingAgain = npmStart(env);
    let restartToServingMs = NaN;
    for (;;) {
      if ((await chat(gatewayPort, 'probe-key', -1)) === 200) {
        restartToServingMs = performance.now() - restartAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const second = await startingAgain;
    const usage = await ledger.queryUsage({ tenant: 'crash' });
    const budget = (await ledger.budgetStatus({ tenant: 'crash' })).budgets[0];
    // Give the warehouse sink time to drain the durable log, then stop cleanly so DuckDB can be read.
    await new Promise((r) => setTimeout(r, 5000));
    await stopCleanly(second);
    return {
      answered,
      recorded: Number(usage.total?.requests ?? 0n),
      budgetLimitMicroUsd: budget?.limit?.microUsd,
      spentMicroUsd: budget?.spent?.microUsd,
      ledgerCostMicroUsd: usage.total?.cost?.microUsd ?? 0n,
      warehouse: await warehouseEvents(dataDir),
      killedOutsideGroup,
      freshStartMs,
      restartToServingMs: Math.round(restartToServingMs),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const mode = `${values.deployment}${values.redis ? ', SOPHIA_REDIS_URL' : ', embedded'}`;
const results: RunResult[] = [];
for (let i = 0; i < Number(values.runs); i++) {
  const redis = values.redis ? await startRedisServer() : undefined;
  try {
    const r = await run(redis);
    results.push(r);
    console.log(
      `crash-run (${mode}) run ${i + 1}: answered 200 ${r.answered}/${REQUESTS}; after the restart the ledger holds ${r.recorded} (cost ${r.ledgerCostMicroUsd} µ$), ` +
        `budget limit ${r.budgetLimitMicroUsd ?? 'GONE'} µ$ spent ${r.spentMicroUsd ?? 'GONE'} µ$; warehouse ${r.warehouse.events} events (${r.warehouse.distinct} distinct, ${r.warehouse.costMicroUsd} µ$); ` +
        `restart → first 200 ${r.restartToServingMs} ms (fresh start → up ${r.freshStartMs} ms)${r.killedOutsideGroup > 0 ? `; ${r.killedOutsideGroup} process(es) outside the group killed too` : ''}`,
    );
  } finally {
    await redis?.stop();
  }
}
console.log(
  `crash-run (${mode}) medians over ${results.length}: answered ${median(results.map((r) => r.answered))}, recorded ${median(results.map((r) => r.recorded))}, ` +
    `warehouse ${median(results.map((r) => r.warehouse.distinct))} distinct, restart → first 200 ${median(results.map((r) => r.restartToServingMs))} ms (fresh start → up ${median(results.map((r) => r.freshStartMs))} ms); ` +
    `budget intact in ${results.filter((r) => r.budgetLimitMicroUsd === LIMIT_MICRO_USD && r.spentMicroUsd === r.ledgerCostMicroUsd).length}/${results.length}`,
);

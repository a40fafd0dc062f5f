// Real processes: two ledger replicas (node src/main.ts) sharing one real redis-server, reached over
// gRPC (HTTP/2). Checks config wiring, cross-replica idempotency, catalog hot reload and SIGTERM drain.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Code, createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Backend } from '@sophia/contracts/common';
import { BudgetWindow, Dimension, LedgerService } from '@sophia/contracts/ledger';
import { testCatalogFile } from '@sophia/price-catalog/testing';
import { connectRedis, parseRedisTarget } from '@sophia/platform/redis';
import { redisServerAvailable, startRedisCluster, startRedisSentinel, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';

const available = redisServerAvailable();
if (!available) console.warn('redis-server not found on PATH: skipping the ledger process tests');
const describeRedis = available ? describe : describe.skip;

interface Replica {
  child: ChildProcess;
  client: Client<typeof LedgerService>;
}

/** Each replica has its own data directory (its outage spool), as on its own machine; removed on exit. */
function startReplica(env: Record<string, string>): Promise<Replica> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-replica-'));
  const child = spawn(process.execPath, [join(__dirname, 'main.ts')], {
    env: { PATH: process.env['PATH'] ?? '', SOPHIA_LOG_LEVEL: 'warn', SOPHIA_LEDGER_PORT: '0', SOPHIA_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`ledger exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const { grpc } = JSON.parse(line) as { grpc: string };
      const transport = createGrpcTransport({ baseUrl: `http://${grpc}` });
      resolve({ child, client: createClient(LedgerService, transport) });
    });
  });
}

function stopReplica(replica: Replica): Promise<number | null> {
  return new Promise((resolve) => {
    if (replica.child.exitCode !== null) return resolve(replica.child.exitCode);
    replica.child.once('exit', (code) => resolve(code));
    replica.child.kill('SIGTERM');
  });
}

describeRedis('ledger process (main.ts) with two replicas on one redis-server', () => {
  let redis: TestRedisServer;
  let dir: string;
  let catalogPath: string;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), 'ledger-main-'));
    catalogPath = join(dir, 'catalog.json');
    writeFileSync(catalogPath, JSON.stringify(testCatalogFile()));
    const env = { SOPHIA_REDIS_URL: redis.url, SOPHIA_CATALOG_PATH: catalogPath, SOPHIA_WAREHOUSE_SINK: 'none' };
    replicas = await Promise.all([startReplica(env), startReplica(env)]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map(stopReplica));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts a request recorded on both replicas once', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const event = {
      event: { requestId: 'shared-1', tenant: 'acme', model: 'small', backend: Backend.SERVERLESS, usage: { promptTokens: 1000, completionTokens: 500 } },
    };
    const results = await Promise.all([a.client.recordUsage(event), b.client.recordUsage(event)]);
    expect(results.map((r) => r.recorded).sort()).toEqual([false, true]);
    for (const r of results) expect(r.cost?.microUsd).toBe(45n);
    const usage = await b.client.queryUsage({ groupBy: [Dimension.TENANT] });
    expect(usage.rows.map((r) => [r.keys, r.requests, r.cost?.microUsd])).toEqual([[['acme'], 1n, 45n]]);
  });

  it('applies an edited catalog file without a restart', async () => {
    const file = testCatalogFile();
    file.version = 'test-edited';
    file.models[0]!.serverless!.outputUsdPerMTok = 0.08;
    writeFileSync(catalogPath, JSON.stringify(file));
    const [a] = replicas as [Replica];
    let rate = 0n;
    // Waits for the watcher's reload; the jest timeout bounds it.
    while (rate !== 80_000n) {
      rate = (await a.client.quote({ model: 'small', backend: Backend.SERVERLESS, promptTokens: 1, maxTokens: 1 })).outputMicroUsdPerMtok;
      if (rate !== 80_000n) await new Promise((r) => setTimeout(r, 20));
    }
    expect(rate).toBe(80_000n);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const code = await stopReplica(replicas.pop()!);
    expect(code).toBe(0);
  });
});

describeRedis('ledger process (main.ts) behind Redis Sentinel', () => {
  it('finds the primary through the sentinel (SOPHIA_REDIS_URL=redis+sentinel://…) and serves from it', async () => {
    const primary = await startRedisServer();
    const sentinel = await startRedisSentinel({ primaryPort: primary.port, name: 'ledger' });
    const dir = mkdtempSync(join(tmpdir(), 'ledger-sentinel-'));
    const catalogPath = join(dir, 'catalog.json');
    writeFileSync(catalogPath, JSON.stringify(testCatalogFile()));
    let replica: Replica | undefined;
    try {
      replica = await startReplica({ SOPHIA_REDIS_URL: `redis+sentinel://127.0.0.1:${sentinel.port}/ledger`, SOPHIA_CATALOG_PATH: catalogPath, SOPHIA_WAREHOUSE_SINK: 'none' });
      const event = { event: { requestId: 'via-sentinel', tenant: 'acme', model: 'small', backend: Backend.SERVERLESS, usage: { promptTokens: 1000, completionTokens: 500 } } };
      expect((await replica.client.recordUsage(event)).recorded).toBe(true);
      // The usage is in the primary the sentinel named.
      const direct = await connectRedis(parseRedisTarget(primary.url));
      try {
        expect((await direct.keys('*')).some((k) => k.startsWith('{sophia:ledger}:'))).toBe(true);
      } finally {
        direct.disconnect();
      }
      expect(await stopReplica(replica)).toBe(0);
    } finally {
      if (replica) await stopReplica(replica);
      await sentinel.stop();
      await primary.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describeRedis('ledger process (main.ts) on a Redis Cluster', () => {
  it('records, de-duplicates, budgets and reports with SOPHIA_REDIS_URL=redis+cluster://…', async () => {
    const cluster = await startRedisCluster(3);
    const dir = mkdtempSync(join(tmpdir(), 'ledger-cluster-'));
    const catalogPath = join(dir, 'catalog.json');
    writeFileSync(catalogPath, JSON.stringify(testCatalogFile()));
    const replicas: Replica[] = [];
    try {
      const env = { SOPHIA_REDIS_URL: cluster.url, SOPHIA_CATALOG_PATH: catalogPath, SOPHIA_WAREHOUSE_SINK: 'none' };
      replicas.push(await startReplica(env), await startReplica(env));
      const [a, b] = replicas as [Replica, Replica];
      const event = { event: { requestId: 'on-cluster', tenant: 'acme', model: 'small', backend: Backend.SERVERLESS, usage: { promptTokens: 1000, completionTokens: 500 } } };
      const results = await Promise.all([a.client.recordUsage(event), b.client.recordUsage(event)]);
      expect(results.map((r) => r.recorded).sort()).toEqual([false, true]);
      await a.client.setBudget({ scope: { tenant: 'acme' }, window: BudgetWindow.DAY, limit: { microUsd: 100n }, actor: 'test', reason: 'cluster' });
      const reserved = await b.client.reserve({ requestId: 'r-1', tenant: 'acme', model: 'small', backend: Backend.SERVERLESS, promptTokens: 100, maxTokens: 100 });
      expect(reserved.reservationId).toBe('r-1');
      await expect(a.client.reserve({ requestId: 'r-2', tenant: 'acme', model: 'small', backend: Backend.SERVERLESS, promptTokens: 100, maxTokens: 100_000 })).rejects.toMatchObject({
        code: Code.ResourceExhausted,
      });
      const usage = await b.client.queryUsage({ groupBy: [Dimension.TENANT] });
      expect(usage.rows.map((r) => [r.keys, r.requests, r.cost?.microUsd])).toEqual([[['acme'], 1n, 45n]]);
    } finally {
      await Promise.all(replicas.map(stopReplica));
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('ledger process configuration', () => {
  it('fails fast naming every bad key', async () => {
    const child = spawn(process.execPath, [join(__dirname, 'main.ts')], {
      env: { PATH: process.env['PATH'] ?? '', SOPHIA_REDIS_URL: 'http://not-redis:6379', SOPHIA_LEDGER_PORT: '70000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('SOPHIA_REDIS_URL');
    expect(stderr).toContain('SOPHIA_LEDGER_PORT');
  });
});

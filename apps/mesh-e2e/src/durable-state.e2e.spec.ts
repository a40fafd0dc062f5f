// The money promises on the embedded default (no Redis), real processes: (1) every process of the mesh
// SIGKILLed under load, then a new mesh on the same SOPHIA_DATA_DIR — the ledger has exactly the
// requests clients were told succeeded, the budget, its spend and the override's remaining count;
// (2) 400 requests 50 at a time against a small budget, with an upstream that bills more prompt
// tokens than the local count (its own tokenizer and chat template), on the embedded store and on
// Redis: spend passes the budget by at most one request's worst case as Quote prices it, and the
// quoted billable prompt covers what the provider billed.
import { Backend } from '@sophia/contracts/common';
import { BudgetWindow, LedgerService } from '@sophia/contracts/ledger';
import { OverrideKind, OverrideScope, RouterService } from '@sophia/contracts/router';
import type { Mesh } from '@sophia/dev';
import { createServiceClient } from '@sophia/platform';
import { redisServerAvailable, startRedisServer } from '@sophia/platform/testing';
import { countChatPromptTokens, loadO200kCounter } from '@sophia/platform/tokens';
import { tempDataDir } from '@sophia/state-store/testing';
import { startTestMesh } from './mesh-fixture.ts';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

/** The user message of request `i`. */
const prompt = (i: number): string => `Request ${i}: summarise the plot of a short story in one line.`;

async function chat(mesh: Mesh, key: string, i: number): Promise<number> {
  const res = await fetch(`${mesh.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: prompt(i) }], max_tokens: 32 }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Runs `total` requests, `concurrency` at a time; returns the status of each. */
async function load(mesh: Mesh, key: string, total: number, concurrency: number, onAnswer?: (status: number) => void): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const status = await chat(mesh, key, i).catch(() => 0);
        statuses.push(status);
        onAnswer?.(status);
      }
    }),
  );
  return statuses;
}

const ledgerOf = (mesh: Mesh) => createServiceClient(LedgerService, String(mesh.services['ledger']!.ready['grpc']));
const routerOf = (mesh: Mesh) => createServiceClient(RouterService, String(mesh.services['router']!.ready['grpc']));

describe('durable state: crash on the embedded default, budget race on both stores (real processes)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let mesh: Mesh | undefined;
  beforeEach(() => {
    data = tempDataDir('durable-e2e-');
  });
  afterEach(async () => {
    await mesh?.stop();
    mesh = undefined;
    data.remove();
  });

  it('after a SIGKILL of every mesh process under load, the ledger holds exactly what clients were told, budgets, spend and override counts', async () => {
    const env = { SOPHIA_DATA_DIR: data.dir, SOPHIA_API_KEYS: 'crash-key:crash' };
    mesh = await startTestMesh(env);
    await ledgerOf(mesh).setBudget({ scope: { tenant: 'crash' }, window: BudgetWindow.DAY, limit: { microUsd: 500_000_000n }, actor: 'e2e' });
    const set = await routerOf(mesh).setOverride({
      override: { kind: OverrideKind.BACKEND, scope: OverrideScope.TENANT, scopeValue: 'other', backend: Backend.GPU, remaining: 7, createdBy: 'e2e', reason: 'kept across the crash' },
    });
    let answered = 0;
    let killed = false;
    const running = mesh;
    const kill = (): void => {
      if (killed) return;
      killed = true;
      for (const c of running.processes()) c.process.kill('SIGKILL');
    };
    // Load until 60 requests were answered 200, then kill every process at once with requests in flight.
    await load(running, 'crash-key', 200, 8, (status) => {
      if (status === 200 && !killed) answered += 1;
      if (answered >= 60) kill();
    });
    kill();
    await running.stop();

    mesh = await startTestMesh(env);
    const ledger = ledgerOf(mesh);
    const usage = await ledger.queryUsage({ tenant: 'crash' });
    // Requests answered 200 are recorded; a request in flight at the kill may be recorded without its answer reaching the client.
    expect(Number(usage.total?.requests ?? 0n)).toBeGreaterThanOrEqual(answered);
    expect(Number(usage.total?.requests ?? 0n)).toBeLessThanOrEqual(answered + 8);
    const status = await ledger.budgetStatus({ tenant: 'crash' });
    expect(status.budgets[0]).toMatchObject({ limit: { microUsd: 500_000_000n }, spent: { microUsd: usage.total?.cost?.microUsd } });
    const overrides = await routerOf(mesh).listOverrides({});
    expect(overrides.overrides.map((o) => [o.id, o.remaining])).toEqual([[set.override?.id, 7]]);
    process.stdout.write(`crash: answered 200 before the kill ${answered}, recorded after the restart ${usage.total?.requests}\n`);
  }, 180_000);

  // Both stores: the embedded default and Redis (skipped, saying so, without a redis-server binary).
  const stores = [['embedded', false], ['redis', true]] as const;
  it.each(stores)(
    '400 requests 50 at a time against a small budget (%s), upstream billing more prompt tokens than counted: spend passes the budget by at most one quoted worst case',
    async (store, withRedis) => {
      if (withRedis && !redisServerAvailable()) {
        process.stdout.write('budget race (redis): SKIPPED, no redis-server binary on PATH\n');
        return;
      }
      const redis = withRedis ? await startRedisServer() : undefined;
      try {
        // The serverless simulator bills 20 % more prompt tokens plus a 40-token template, as a Llama provider does.
        mesh = await startTestMesh(
          { SOPHIA_DATA_DIR: data.dir, SOPHIA_API_KEYS: 'race-key:race', ...(redis ? { SOPHIA_REDIS_URL: redis.url } : {}) },
          { serverlessArgs: ['--prompt-token-percent', '120', '--prompt-overhead-tokens', '40'] },
        );
        const ledger = ledgerOf(mesh);
        const limit = 600n;
        await ledger.setBudget({ scope: { tenant: 'race' }, window: BudgetWindow.DAY, limit: { microUsd: limit }, actor: 'e2e' });
        const statuses = await load(mesh, 'race-key', 400, 50);
        expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
        const served = statuses.filter((s) => s === 200).length;
        expect(served).toBeGreaterThan(0);
        const spent = (await ledger.budgetStatus({ tenant: 'race' })).budgets[0]?.spent?.microUsd ?? 0n;
        // Each request's prompt as the mesh counts it locally, and as this simulator bills it (ceil(1.2 × count) + 40).
        const count = await loadO200kCounter();
        const estimates = [...new Set(Array.from({ length: 400 }, (_, i) => countChatPromptTokens(count, [{ role: 'user', content: prompt(i) }])))];
        // The worst case as the ledger quotes it (= what Reserve holds) for each prompt length, max_tokens 32.
        const quotes = await Promise.all(estimates.map((e) => ledger.quote({ model: MODEL, backend: Backend.SERVERLESS, promptTokens: e, maxTokens: 32 })));
        const worst = quotes.reduce((max, q) => ((q.worstCase?.microUsd ?? 0n) > max ? (q.worstCase?.microUsd ?? 0n) : max), 0n);
        const billed = (e: number): number => Math.ceil((e * 120) / 100) + 40;
        process.stdout.write(
          `budget race (${store}): limit ${limit} µ$, spent ${spent} µ$, overshoot ${spent > limit ? spent - limit : 0n} µ$, one quoted worst case ${worst} µ$; ` +
            `prompt counted ${estimates.join('/')} → billed ${estimates.map(billed).join('/')} → quoted billable ${quotes.map((q) => q.billablePromptTokens).join('/')} tokens; ${served} × 200\n`,
        );
        expect(spent).toBeLessThanOrEqual(limit + worst);
        // The quote's billable prompt covers what the provider billed, learned from the ledger's history alone.
        estimates.forEach((e, i) => expect(quotes[i]!.billablePromptTokens).toBeGreaterThanOrEqual(billed(e)));
      } finally {
        await mesh?.stop();
        mesh = undefined;
        await redis?.stop();
      }
    },
    180_000,
  );
});

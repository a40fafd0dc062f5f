import { timestampMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, createRouterTransport, type Client } from '@connectrpc/connect';
import { Backend } from '@sophia/contracts/common';
import { BudgetWindow, LedgerService } from '@sophia/contracts/ledger';
import { testCatalog } from '@sophia/price-catalog/testing';
import { createBudgetCalendar } from './budget-calendar.ts';
import { createLedgerHandler } from './ledger-handler.ts';
import { memoryLedgerStore } from './testing/memory-ledger-store.ts';
import type { SqliteUsageStore } from './sqlite-usage-store.ts';

// 2026-11-26 12:00 UTC = 13:00 in Berlin; the Berlin day ends at 2026-11-26T23:00Z.
const NOW = Date.UTC(2026, 10, 26, 12);

async function rejection(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error('expected the call to fail');
}

function setup(timeZone = 'UTC'): { client: Client<typeof LedgerService>; store: SqliteUsageStore } {
  const calendar = createBudgetCalendar(timeZone);
  const store = memoryLedgerStore({ calendar });
  const impl = createLedgerHandler({ store, catalog: testCatalog, clock: () => new Date(NOW), calendar, reservationTtlMs: 60_000 });
  return { client: createClient(LedgerService, createRouterTransport(({ service }) => service(LedgerService, impl))), store };
}

const reserveRequest = (requestId: string, init: { maxTokens?: number; apiKey?: string } = {}) => ({
  requestId,
  tenant: 'acme',
  model: 'small-b',
  backend: Backend.SERVERLESS,
  promptTokens: 1000,
  maxTokens: init.maxTokens ?? 500,
  apiKey: init.apiKey ?? '',
});

const commitRequest = (requestId: string, completionTokens: number) => ({
  reservationId: requestId,
  event: { requestId, tenant: 'acme', model: 'small-b', backend: Backend.SERVERLESS, usage: { promptTokens: 1000, completionTokens }, completed: true },
});

describe('budget RPCs (in-memory transport)', () => {
  it('reserves the worst case, commits the real cost and releases the hold', async () => {
    const { client } = setup();
    await client.setBudget({ scope: { tenant: 'acme' }, window: BudgetWindow.MONTH, limit: { microUsd: 1000n }, actor: 'ops' });
    const reserved = await client.reserve(reserveRequest('r1'));
    // small-b (no provider offers): the prompt is reserved at its default billed bound, ceil(1000 × 1.25) + 64
    // = 1314 tokens: (1314 × 30,000 + 500 × 50,000) / 1e6 = 64.42 → 65 µ$
    expect(reserved).toMatchObject({ reservationId: 'r1', worstCase: { microUsd: 65n } });
    expect(timestampMs(reserved.expiresAt!)).toBe(NOW + 60_000);
    expect(reserved.budgets.map((b) => [b.scope?.model, b.window, b.reserved?.microUsd])).toEqual([
      ['', BudgetWindow.DAY, 65n],
      ['', BudgetWindow.MONTH, 65n],
      ['small-b', BudgetWindow.DAY, 65n],
      ['small-b', BudgetWindow.MONTH, 65n],
    ]);
    // 1000 × 30,000 + 100 × 50,000 = 35 µ$
    expect(await client.commit(commitRequest('r1', 100))).toMatchObject({ recorded: true, cost: { microUsd: 35n } });
    expect(await client.commit(commitRequest('r1', 100))).toMatchObject({ recorded: false, cost: { microUsd: 35n } });
    const status = await client.budgetStatus({ tenant: 'acme' });
    expect(status.budgets[1]).toMatchObject({ spent: { microUsd: 35n }, reserved: { microUsd: 0n }, limit: { microUsd: 1000n } });
    expect(status.maxUtilisation).toBeCloseTo(0.035, 12);
    await client.reserve(reserveRequest('r2'));
    expect(await client.release({ reservationId: 'r2', tenant: 'acme' })).toEqual(expect.objectContaining({ released: true }));
    expect(await client.release({ reservationId: 'r2', tenant: 'acme' })).toEqual(expect.objectContaining({ released: false }));
  });

  it("reserves for the provider's prompt count as calibrated from the model's settled requests", async () => {
    const { client } = setup();
    const settle = async (id: string, billedPrompt: number) => {
      await client.reserve(reserveRequest(id));
      await client.commit({ ...commitRequest(id, 500), event: { ...commitRequest(id, 500).event, usage: { promptTokens: billedPrompt, completionTokens: 500 } } });
    };
    // The provider bills 40 % more prompt tokens than the local estimate of 1000, beyond the default bound (1314).
    for (let i = 0; i < 19; i++) await settle(`w${i}`, 1400);
    expect((await client.reserve(reserveRequest('before'))).worstCase?.microUsd).toBe(65n);
    await settle('w19', 1400);
    // 20 samples: bound = max(ceil(1000 × 1.4), 1000 + 400) = 1400 → 1400 × 30,000 + 500 × 50,000 = 67 µ$
    expect((await client.reserve(reserveRequest('after'))).worstCase?.microUsd).toBe(67n);
  });

  it('quotes what a reservation holds: the prompt priced at the bound on what the provider bills', async () => {
    const { client } = setup();
    const quote = () => client.quote({ model: 'small-b', backend: Backend.SERVERLESS, promptTokens: 1000, maxTokens: 500 });
    // Default bound before any history: ceil(1000 × 1.25) + 64 = 1314 → 65 µ$, as Reserve holds.
    expect(await quote()).toMatchObject({ worstCase: { microUsd: 65n }, billablePromptTokens: 1314 });
    for (let i = 0; i < 20; i++) {
      await client.reserve(reserveRequest(`q${i}`));
      await client.commit({ ...commitRequest(`q${i}`, 500), event: { ...commitRequest(`q${i}`, 500).event, usage: { promptTokens: 1400, completionTokens: 500 } } });
    }
    const calibrated = await quote();
    expect(calibrated).toMatchObject({ worstCase: { microUsd: 67n }, billablePromptTokens: 1400 });
    expect((await client.reserve(reserveRequest('same'))).worstCase).toEqual(calibrated.worstCase);
  });

  it("bounds the provider's bill once calibrated, for any prompt length, when the provider bills a × estimate + b", async () => {
    const { client } = setup();
    // A chat template and a tokenizer that counts 30 % more than o200k: billed = ceil(1.3 × estimate) + 45.
    const billed = (estimate: number) => Math.ceil(estimate * 1.3) + 45;
    const estimates = [120, 3000, 845, 431, 2210, 77, 1500, 999, 64, 2750, 310, 1800, 640, 1234, 2048, 96, 512, 1777, 250, 2999];
    const send = async (id: string, estimate: number) => {
      const request = { ...reserveRequest(id), promptTokens: estimate };
      const quoted = await client.quote({ model: 'small-b', backend: Backend.SERVERLESS, promptTokens: estimate, maxTokens: 500 });
      const held = await client.reserve(request);
      const event = { ...commitRequest(id, 500).event, usage: { promptTokens: billed(estimate), completionTokens: 500 } };
      const cost = (await client.commit({ reservationId: id, event })).cost?.microUsd ?? 0n;
      return { quoted, held: held.worstCase?.microUsd ?? 0n, cost };
    };
    for (const [i, estimate] of estimates.entries()) await send(`learn${i}`, estimate);
    // Shorter, longer and in-between prompts than any seen: the quote covers the bill and equals the hold.
    for (const [i, estimate] of [1, 10, 63, 700, 2999, 3001, 20_000].entries()) {
      const { quoted, held, cost } = await send(`check${i}`, estimate);
      expect(quoted.billablePromptTokens).toBeGreaterThanOrEqual(billed(estimate));
      expect(quoted.worstCase?.microUsd).toBe(held);
      expect(cost).toBeLessThanOrEqual(held);
    }
  });

  it('refuses over budget with RESOURCE_EXHAUSTED naming tenant, budget, spend and reset, and retry-after-ms', async () => {
    const { client } = setup('Europe/Berlin');
    await client.setBudget({ scope: { tenant: 'acme' }, window: BudgetWindow.DAY, limit: { microUsd: 150n }, actor: 'ops' });
    await client.reserve(reserveRequest('r1'));
    await client.commit(commitRequest('r1', 500));
    await client.reserve(reserveRequest('r2'));
    const error = await rejection(client.reserve(reserveRequest('r3')));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toBe(
      "budget exceeded: tenant 'acme' daily budget $0.000150 (2026-11-26, Europe/Berlin): spent $0.000055, reserved $0.000065, " +
        'this request needs up to $0.000065; resets at 2026-11-26T23:00:00.000Z',
    );
    expect(error.metadata.get('retry-after-ms')).toBe(String(11 * 3_600_000));
  });

  it('applies an api key budget when the request names the key', async () => {
    const { client } = setup();
    await client.setBudget({ scope: { tenant: 'acme', apiKey: 'k1' }, window: BudgetWindow.DAY, limit: { microUsd: 100n }, actor: 'ops' });
    await client.reserve(reserveRequest('a', { apiKey: 'k1' }));
    const error = await rejection(client.reserve(reserveRequest('b', { apiKey: 'k1' })));
    expect(error.rawMessage).toContain("tenant 'acme' api key 'k1' daily budget $0.000100");
    await client.reserve(reserveRequest('b', { apiKey: 'k2' }));
    await client.commit({ ...commitRequest('a', 500), apiKey: 'k1' });
    const key = await client.getBudget({ scope: { tenant: 'acme', apiKey: 'k1' } });
    expect(key.budgets[0]).toMatchObject({ spent: { microUsd: 55n }, reserved: { microUsd: 0n }, utilisation: 0.55 });
  });

  it('audits budget changes and admin actions in the ledger log', async () => {
    const { client, store } = setup();
    await client.setBudget({ scope: { tenant: 'acme' }, window: BudgetWindow.DAY, limit: { microUsd: 5_000_000n }, actor: 'alice', reason: 'pilot' });
    const changed = await client.setBudget({ scope: { tenant: 'acme' }, window: BudgetWindow.DAY, actor: 'bob' });
    expect(changed.previousLimit?.microUsd).toBe(5_000_000n);
    expect(changed.budgets[0]?.limit).toBeUndefined();
    const { auditId } = await client.appendAudit({ actor: 'router', action: 'budget.override', subject: 'acme', details: '{"tier":"complex"}' });
    const entries = await store.log.read(10, 0);
    const audits = entries.flatMap((e) => (e.kind === 'audit' ? [e.audit] : []));
    expect(audits.map((a) => [a.actor, a.action, a.subject])).toEqual([
      ['alice', 'budget.set', 'acme'],
      ['bob', 'budget.set', 'acme'],
      ['router', 'budget.override', 'acme'],
    ]);
    expect(JSON.parse(audits[0]!.details)).toMatchObject({ window: 'day', previousMicroUsd: null, limitMicroUsd: 5_000_000, reason: 'pilot' });
    expect(JSON.parse(audits[1]!.details)).toMatchObject({ summary: 'day limit $5.000000 → none' });
    expect(audits[2]).toMatchObject({ auditId, timeMs: NOW });
  });

  it('names the bad field', async () => {
    const { client } = setup();
    const cases: Array<[Promise<unknown>, string]> = [
      [client.reserve({ ...reserveRequest(''), requestId: '' }), 'request_id: is required'],
      [client.reserve({ ...reserveRequest('x'), tenant: '' }), 'tenant: is required'],
      [client.reserve({ ...reserveRequest('x'), backend: Backend.UNSPECIFIED }), 'backend: is required (BACKEND_SERVERLESS or BACKEND_GPU)'],
      [client.reserve({ ...reserveRequest('x'), ttlMs: 90_000_000 }), 'ttl_ms: must be at most 86400000'],
      [client.commit({ ...commitRequest('x', 1), reservationId: '' }), 'reservation_id: is required'],
      [client.release({ reservationId: 'x' }), 'tenant: is required'],
      [client.setBudget({ scope: { tenant: 'acme' }, window: BudgetWindow.DAY, actor: '' }), 'actor: is required'],
      [client.setBudget({ scope: { tenant: 'acme' }, actor: 'ops' }), 'window: is required (BUDGET_WINDOW_DAY or BUDGET_WINDOW_MONTH)'],
      [client.setBudget({ window: BudgetWindow.DAY, actor: 'ops' }), 'scope: is required'],
      [client.setBudget({ scope: { tenant: 'a', apiKey: 'k', model: 'm' }, window: BudgetWindow.DAY, actor: 'ops' }), 'scope: narrow a budget to an api_key or a model, not both'],
      [client.setBudget({ scope: { tenant: 'a' }, window: BudgetWindow.DAY, actor: 'ops', limit: { microUsd: -1n } }), 'limit.micro_usd: must be between 0 and 2^53-1'],
      [client.appendAudit({ actor: 'x' }), 'action: is required'],
    ];
    for (const [call, message] of cases) {
      const error = await rejection(call);
      expect([error.code, error.rawMessage]).toEqual([Code.InvalidArgument, message]);
    }
    expect((await rejection(client.reserve({ ...reserveRequest('x'), model: 'nope' }))).code).toBe(Code.NotFound);
  });
});

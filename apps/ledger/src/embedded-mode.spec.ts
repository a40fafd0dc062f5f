// Embedded mode (no SOPHIA_REDIS_URL), real processes: budgets and usage live in the SQLite file under
// SOPHIA_DATA_DIR. A second ledger on the same directory is refused naming the holder; after a SIGKILL
// the restarted ledger has every acknowledged usage event, the budget, its spend and the live
// reservation, and the warehouse receives each event exactly once from the durable log.
import { Code, ConnectError } from '@connectrpc/connect';
import { Backend } from '@sophia/contracts/common';
import { BudgetWindow } from '@sophia/contracts/ledger';
import { tempDataDir } from '@sophia/state-store/testing';
import { join } from 'node:path';
import { createDuckDbWarehouse } from './duckdb-warehouse.ts';
import { startLedgerProcess, type TestLedger } from './testing/ledger-process.ts';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

describe('embedded ledger process (no Redis)', () => {
  let temp: ReturnType<typeof tempDataDir>;
  let ledger: TestLedger | undefined;
  beforeAll(() => {
    temp = tempDataDir('ledger-embedded-');
  });
  afterAll(async () => {
    await ledger?.stop('SIGKILL');
    temp.remove();
  });

  it('keeps usage, budgets, spend and reservations across a SIGKILL, one owner per data directory, warehouse exactly once', async () => {
    const env = { SOPHIA_DATA_DIR: temp.dir, SOPHIA_BUDGET_TIMEZONE: 'Europe/Berlin' };
    ledger = await startLedgerProcess(env);
    const request = (requestId: string) => ({ requestId, tenant: 'acme', model: MODEL, backend: Backend.SERVERLESS, promptTokens: 1000, maxTokens: 500 });
    const commit = (requestId: string) =>
      ledger!.client.commit({
        reservationId: requestId,
        event: { requestId, tenant: 'acme', model: MODEL, backend: Backend.SERVERLESS, usage: { promptTokens: 1000, completionTokens: 500 }, completed: true },
      });
    await ledger.client.setBudget({ scope: { tenant: 'acme' }, window: BudgetWindow.DAY, limit: { microUsd: 1000n }, actor: 'spec' });
    const worst = (await ledger.client.reserve(request('e1'))).worstCase?.microUsd ?? 0n;
    // No provider named: the model's reference price, its cheapest offer (deepinfra 0.03 / 0.05 $/M): 30 + 25 µ$.
    expect(worst).toBeGreaterThanOrEqual(55n);
    await commit('e1');
    await ledger.client.reserve(request('e2'));

    await expect(startLedgerProcess(env)).rejects.toThrow(`data directory ${temp.dir} is in use by process ${ledger.child.pid}`);

    expect(await ledger.stop('SIGKILL')).toBeNull();
    ledger = await startLedgerProcess(env);
    const status = await ledger.client.budgetStatus({ tenant: 'acme' });
    expect(status.budgets[0]).toMatchObject({ limit: { microUsd: 1000n }, spent: { microUsd: 55n }, reserved: { microUsd: worst } });
    const usage = await ledger.client.queryUsage({ tenant: 'acme' });
    expect(usage.total?.requests).toBe(1n);
    await commit('e1');
    expect((await ledger.client.queryUsage({ tenant: 'acme' })).total?.requests).toBe(1n);

    let refused: ConnectError | undefined;
    await ledger.client.setBudget({ scope: { tenant: 'acme' }, window: BudgetWindow.DAY, limit: { microUsd: 55n + worst }, actor: 'spec' });
    try {
      await ledger.client.reserve(request('e3'));
    } catch (error) {
      refused = ConnectError.from(error);
    }
    expect(refused?.code).toBe(Code.ResourceExhausted);
    expect(refused?.rawMessage).toContain('Europe/Berlin');

    expect(await ledger.stop('SIGTERM')).toBe(0);
    ledger = undefined;
    const warehouse = await createDuckDbWarehouse(join(temp.dir, 'warehouse.duckdb'));
    try {
      expect(await warehouse.totals()).toEqual({ requests: 1n, costMicroUsd: 55n, audits: 2n });
    } finally {
      await warehouse.close();
    }
  }, 60_000);
});

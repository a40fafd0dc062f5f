// Embedded mode (no SOPHIA_REDIS_URL), real process: budgets and usage work on one replica with
// in-process state, the start-up log says budgets are not shared across replicas, and usage events
// reach the DuckDB file (drained on SIGTERM).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, ConnectError } from '@connectrpc/connect';
import { Backend } from '@sophia/contracts/common';
import { BudgetWindow } from '@sophia/contracts/ledger';
import { createDuckDbWarehouse } from './duckdb-warehouse.ts';
import { startLedgerProcess, type TestLedger } from './testing/ledger-process.ts';

describe('embedded ledger process (no Redis)', () => {
  let dir: string;
  let ledger: TestLedger | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-embedded-'));
  });
  afterAll(async () => {
    await ledger?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('enforces budgets in process, warns that they are not shared, and writes usage to DuckDB', async () => {
    const path = join(dir, 'warehouse.duckdb');
    ledger = await startLedgerProcess({ SOPHIA_WAREHOUSE_PATH: path, SOPHIA_BUDGET_TIMEZONE: 'Europe/Berlin' });
    const { client } = ledger;
    await client.setBudget({ scope: { tenant: 'acme' }, window: BudgetWindow.DAY, limit: { microUsd: 100n }, actor: 'spec' });
    const request = (requestId: string) => ({ requestId, tenant: 'acme', model: 'meta-llama/Llama-3.1-8B-Instruct', backend: Backend.SERVERLESS, promptTokens: 1000, maxTokens: 500 });
    // Bundled catalog: (1000 × 25,000 + 500 × 40,000) / 1e6 = 45 µ$ worst case.
    await client.reserve(request('e1'));
    await client.commit({
      reservationId: 'e1',
      event: { requestId: 'e1', tenant: 'acme', model: 'meta-llama/Llama-3.1-8B-Instruct', backend: Backend.SERVERLESS, usage: { promptTokens: 1000, completionTokens: 500 }, completed: true },
    });
    await client.reserve(request('e2'));
    let refused: ConnectError | undefined;
    try {
      await client.reserve(request('e3'));
    } catch (error) {
      refused = ConnectError.from(error);
    }
    expect(refused?.code).toBe(Code.ResourceExhausted);
    expect(refused?.rawMessage).toContain('(2026-');
    expect(refused?.rawMessage).toContain('Europe/Berlin');
    await client.release({ reservationId: 'e2', tenant: 'acme' });
    expect(ledger.lines).toEqual(
      expect.arrayContaining([expect.objectContaining({ level: 40, msg: expect.stringContaining('budgets are NOT shared across replicas') as string })]),
    );

    expect(await ledger.stop('SIGTERM')).toBe(0);
    ledger = undefined;

    const warehouse = await createDuckDbWarehouse(path);
    try {
      expect(await warehouse.totals()).toEqual({ requests: 1n, costMicroUsd: 45n, audits: 1n });
    } finally {
      await warehouse.close();
    }
  }, 60_000);
});

import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { LedgerService } from '@sophia/contracts/ledger';
import { pino } from 'pino';
import { createLedgerBudgetHeadroom } from './ledger-budget-headroom.ts';

function fakeLedger(answer: (tenant: string) => { limit: boolean; utilisation: number } | 'fail') {
  const asked: string[] = [];
  const ledger = createClient(
    LedgerService,
    createRouterTransport(({ service }) =>
      service(LedgerService, {
        budgetStatus(req) {
          asked.push(req.tenant);
          const a = answer(req.tenant);
          if (a === 'fail') throw new ConnectError('ledger down', Code.Unavailable);
          return { budgets: a.limit ? [{ limit: { microUsd: 1_000_000n }, utilisation: a.utilisation }] : [], maxUtilisation: a.limit ? a.utilisation : 0 };
        },
      }),
    ),
  );
  return { ledger, asked };
}

describe('ledger budget headroom', () => {
  it('answers max utilisation, caches per tenant and refreshes a stale value in the background', async () => {
    let utilisation = 0.5;
    let now = 0;
    const { ledger, asked } = fakeLedger(() => ({ limit: true, utilisation }));
    const headroom = createLedgerBudgetHeadroom({ ledger, logger: pino({ level: 'silent' }), ttlMs: 1000, clock: () => now });
    expect(await headroom.headroom('acme')).toEqual({ utilisation: 0.5 });
    utilisation = 0.95;
    now = 500;
    expect(await headroom.headroom('acme')).toEqual({ utilisation: 0.5 });
    expect(asked).toEqual(['acme']);
    now = 1501;
    expect(await headroom.headroom('acme')).toEqual({ utilisation: 0.5 });
    let seen = await headroom.headroom('acme');
    for (let i = 0; i < 100 && seen?.utilisation !== 0.95; i++) {
      await new Promise((r) => setImmediate(r));
      seen = await headroom.headroom('acme');
    }
    expect(seen).toEqual({ utilisation: 0.95 });
    expect(asked).toEqual(['acme', 'acme']);
  });

  it('is undefined for a tenant without limits and when the ledger fails', async () => {
    const { ledger } = fakeLedger((t) => (t === 'down' ? 'fail' : { limit: false, utilisation: 0 }));
    const headroom = createLedgerBudgetHeadroom({ ledger, logger: pino({ level: 'silent' }) });
    expect(await headroom.headroom('free')).toBeUndefined();
    expect(await headroom.headroom('down')).toBeUndefined();
  });
});

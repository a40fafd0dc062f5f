import type { Client } from '@connectrpc/connect';
import type { LedgerService } from '@sophia/contracts/ledger';
import type { Logger } from 'pino';
import type { BudgetHeadroom } from './budget-headroom.ts';

/** Options for createLedgerBudgetHeadroom. */
export interface LedgerBudgetHeadroomOptions {
  readonly ledger: Client<typeof LedgerService>;
  readonly logger: Logger;
  /** How long a tenant's answer is served before it is refreshed (in the background). @default 5000 */
  readonly ttlMs?: number;
  /** Budget for the first (awaited) lookup of a tenant. @default 100 */
  readonly timeoutMs?: number;
  readonly clock?: () => number;
}

type Entry = { value: { utilisation: number } | undefined; at: number; refreshing?: Promise<void> | undefined };

/**
 * Budget headroom from the ledger's `BudgetStatus` (max utilisation over the tenant's windows with a
 * limit; undefined when the tenant has none). Cached per tenant: only a tenant's first request waits
 * (bounded by `timeoutMs`), later ones get the cached value while a stale one is refreshed in the
 * background. A failed lookup counts as "unknown" (no step-down) and is logged once per outage.
 */
export function createLedgerBudgetHeadroom(options: LedgerBudgetHeadroomOptions): BudgetHeadroom {
  const clock = options.clock ?? Date.now;
  const ttlMs = options.ttlMs ?? 5000;
  const cache = new Map<string, Entry>();
  let failing = false;

  const fetch = async (tenant: string): Promise<{ utilisation: number } | undefined> => {
    try {
      const res = await options.ledger.budgetStatus({ tenant }, { timeoutMs: options.timeoutMs ?? 100 });
      if (failing) options.logger.info('ledger budget status recovered');
      failing = false;
      return res.budgets.some((b) => b.limit !== undefined) ? { utilisation: res.maxUtilisation } : undefined;
    } catch (err) {
      if (!failing) options.logger.warn({ err: (err as Error).message }, 'ledger budget status unavailable: no budget step-down until it answers');
      failing = true;
      return undefined;
    }
  };

  const refresh = (tenant: string, entry: Entry): Promise<void> =>
    (entry.refreshing ??= fetch(tenant).then((value) => {
      cache.set(tenant, { value, at: clock() });
    }));

  return {
    async headroom(tenant) {
      const entry = cache.get(tenant);
      if (!entry) {
        const value = await fetch(tenant);
        cache.set(tenant, { value, at: clock() });
        return value;
      }
      if (clock() - entry.at > ttlMs) void refresh(tenant, entry);
      return entry.value;
    },
  };
}

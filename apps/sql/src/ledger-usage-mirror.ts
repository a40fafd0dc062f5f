import type { Client } from '@connectrpc/connect';
import { Dimension, type LedgerService } from '@sophia/contracts/ledger';
import { QueryFailedError, type SqlWarehouse, type WarehouseEvent } from './warehouse/warehouse.ts';

/** The mirror table (see models/usage-ledger.yaml). */
export const USAGE_DAILY_DDL = `CREATE TABLE IF NOT EXISTS USAGE_DAILY (
  tenant VARCHAR NOT NULL, model VARCHAR NOT NULL, backend VARCHAR NOT NULL, tier VARCHAR NOT NULL,
  workload_tag VARCHAR NOT NULL, day DATE NOT NULL, requests BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL,
  completion_tokens BIGINT NOT NULL, cost_micro_usd BIGINT NOT NULL)`;

const GROUP_BY = [Dimension.TENANT, Dimension.MODEL, Dimension.BACKEND, Dimension.TIER, Dimension.WORKLOAD_TAG, Dimension.DAY];
const MENTIONS_MIRROR = /\bUSAGE_DAILY\b/i;

/** Options for {@link mirrorLedgerUsage}. */
export interface LedgerUsageMirrorOptions {
  /** The ledger (in process or over gRPC: the same client either way). */
  readonly ledger: Pick<Client<typeof LedgerService>, 'queryUsage'>;
  /** Runs a statement on the warehouse's setup connection (DELETE/INSERT of the mirror). */
  readonly run: (sql: string, params?: (string | number | bigint)[]) => Promise<void>;
  /** A mirror older than this is refreshed before the next statement that reads it. */
  readonly maxAgeMs: number;
  readonly now?: () => number;
  readonly logger: { warn(obj: object, msg: string): void };
}

/**
 * Wraps the embedded warehouse so statements over USAGE_DAILY see the ledger's real usage: before such
 * a statement, when the mirror is older than `maxAgeMs`, the ledger's QueryUsage (every tenant, grouped
 * by tenant/model/backend/tier/workload/day) replaces the table in one transaction. Concurrent
 * statements share one refresh. A failed refresh keeps the last mirror and logs; with no mirror yet
 * the statement fails naming the ledger. Works in every hosting mode: the ledger client is an
 * in-process transport in single-process mode and gRPC (SOPHIA_LEDGER_ADDR) across processes.
 */
export function mirrorLedgerUsage(warehouse: SqlWarehouse, options: LedgerUsageMirrorOptions): SqlWarehouse {
  const now = options.now ?? Date.now;
  let loadedAt: number | undefined;
  let inFlight: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    inFlight ??= (async () => {
      try {
        const res = await options.ledger.queryUsage({ groupBy: GROUP_BY });
        await options.run('BEGIN TRANSACTION');
        try {
          await options.run('DELETE FROM USAGE_DAILY');
          for (const row of res.rows) {
            const [tenant, model, backend, tier, tag, day] = row.keys;
            await options.run('INSERT INTO USAGE_DAILY VALUES ($1, $2, $3, $4, $5, CAST($6 AS DATE), $7, $8, $9, $10)', [
              tenant ?? '', model ?? '', backend ?? '', tier ?? '', tag ?? '', day ?? '1970-01-01',
              row.requests, row.promptTokens, row.completionTokens, row.cost?.microUsd ?? 0n,
            ]);
          }
          await options.run('COMMIT');
        } catch (err) {
          await options.run('ROLLBACK');
          throw err;
        }
        loadedAt = now();
      } catch (err) {
        if (loadedAt === undefined) throw new QueryFailedError(`usage: the ledger's usage could not be read: ${(err as Error).message}`);
        options.logger.warn({ err }, 'usage mirror refresh failed; answering from the previous copy');
        loadedAt = now();
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
  return {
    ...warehouse,
    async *query(sql, q): AsyncGenerator<WarehouseEvent, void, undefined> {
      if (MENTIONS_MIRROR.test(sql) && (loadedAt === undefined || now() - loadedAt >= options.maxAgeMs)) await refresh();
      yield* warehouse.query(sql, q);
    },
  };
}

// The ledger's tables in the embedded state file (@sophia/state-store), as versioned migrations.
// Usage events keyed by request id (the idempotency key), daily roll-ups (reports over whole days,
// and what survives the retention window), spend per budget scope and period, limits, live
// reservations, the durable log the warehouse sink drains, (v2) the per-model prompt calibration —
// all moved by one transaction per record — and (v3) compacted usage: one summary per time bucket and
// group for the events older than the raw window (usage-compaction.ts).
import type { StoreSchema } from '@sophia/state-store';

/** Schema of the ledger store; append a migration to change it, never edit a released one. */
export const LEDGER_SCHEMA: StoreSchema = {
  name: 'ledger',
  migrations: [
    {
      version: 1,
      sql: `
        CREATE TABLE ledger_usage (
          request_id TEXT PRIMARY KEY,
          tenant TEXT NOT NULL,
          time_ms INTEGER NOT NULL,
          json TEXT NOT NULL
        ) STRICT;
        CREATE INDEX ledger_usage_by_time ON ledger_usage (time_ms, request_id);
        CREATE INDEX ledger_usage_by_tenant ON ledger_usage (tenant, time_ms, request_id);
        CREATE TABLE ledger_rollup (
          day INTEGER NOT NULL,
          grp TEXT NOT NULL,
          requests INTEGER NOT NULL,
          prompt_tokens INTEGER NOT NULL,
          completion_tokens INTEGER NOT NULL,
          cost_micro_usd INTEGER NOT NULL,
          PRIMARY KEY (day, grp)
        ) STRICT;
        CREATE TABLE ledger_spent (
          scope TEXT NOT NULL,
          budget_window TEXT NOT NULL,
          period TEXT NOT NULL,
          micro_usd INTEGER NOT NULL,
          expires_at_ms INTEGER NOT NULL,
          PRIMARY KEY (scope, budget_window, period)
        ) STRICT;
        CREATE TABLE ledger_limits (
          tenant TEXT NOT NULL,
          api_key TEXT NOT NULL,
          model TEXT NOT NULL,
          budget_window TEXT NOT NULL,
          micro_usd INTEGER NOT NULL,
          PRIMARY KEY (tenant, api_key, model, budget_window)
        ) STRICT;
        CREATE TABLE ledger_reservations (
          tenant TEXT NOT NULL,
          id TEXT NOT NULL,
          micro_usd INTEGER NOT NULL,
          expires_at_ms INTEGER NOT NULL,
          api_key TEXT NOT NULL,
          model TEXT NOT NULL,
          PRIMARY KEY (tenant, id)
        ) STRICT;
        CREATE TABLE ledger_log (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          kind TEXT NOT NULL,
          json TEXT NOT NULL
        ) STRICT;
      `,
    },
    {
      version: 2,
      sql: `
        ALTER TABLE ledger_reservations ADD COLUMN prompt_estimate INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE ledger_calibration (
          model TEXT PRIMARY KEY,
          samples INTEGER NOT NULL,
          max_ratio_milli INTEGER NOT NULL,
          max_excess INTEGER NOT NULL,
          prev_max_ratio_milli INTEGER,
          prev_max_excess INTEGER
        ) STRICT;
      `,
    },
    {
      version: 3,
      sql: `
        CREATE TABLE ledger_usage_compact (
          bucket_ms INTEGER NOT NULL,
          end_ms INTEGER NOT NULL,
          grp TEXT NOT NULL,
          tenant TEXT NOT NULL,
          json TEXT NOT NULL,
          PRIMARY KEY (bucket_ms, grp)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX ledger_usage_compact_by_tenant ON ledger_usage_compact (tenant, bucket_ms);
      `,
    },
    {
      // Prompt-cache hits per roll-up group (the ranking's cached-input share; events and compacted buckets carry them in their JSON).
      version: 4,
      sql: `ALTER TABLE ledger_rollup ADD COLUMN cached_prompt_tokens INTEGER NOT NULL DEFAULT 0;`,
    },
  ],
};

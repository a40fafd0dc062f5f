import type { DatabaseSync } from 'node:sqlite';
import { transaction, type StoreSchema } from '@sophia/state-store';
import { byCost, PROMPT_RETENTION_MS, type PromptRepeatStore, type WorkloadRepeats } from './prompt-repeat-store.ts';

/** The `ops-prompt-repeats` store in the embedded state file. */
export const PROMPT_REPEAT_STORE_SCHEMA: StoreSchema = {
  name: 'ops-prompt-repeats',
  migrations: [
    {
      version: 1,
      sql: `CREATE TABLE ops_prompt_seen (
        tenant TEXT NOT NULL,
        workload TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        cost_micro_usd INTEGER NOT NULL,
        at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX ops_prompt_seen_at ON ops_prompt_seen (at_ms);
      CREATE INDEX ops_prompt_seen_key ON ops_prompt_seen (tenant, workload, fingerprint, at_ms);`,
    },
  ],
};

/** A PromptRepeatStore on the embedded SQLite state file: repeats counted in SQL (a window function). */
export function createSqlitePromptRepeatStore(db: DatabaseSync): PromptRepeatStore {
  const insert = db.prepare('INSERT INTO ops_prompt_seen (tenant, workload, fingerprint, cost_micro_usd, at_ms) VALUES (?, ?, ?, ?, ?)');
  const prune = db.prepare('DELETE FROM ops_prompt_seen WHERE at_ms < ?');
  const query = db.prepare(`
    SELECT workload, COUNT(*) AS requests, SUM(nth > 1) AS repeated, SUM(CASE WHEN nth > 1 THEN cost_micro_usd ELSE 0 END) AS repeated_cost
    FROM (
      SELECT workload, cost_micro_usd, ROW_NUMBER() OVER (PARTITION BY tenant, workload, fingerprint ORDER BY at_ms) AS nth
      FROM ops_prompt_seen
      WHERE at_ms >= :since AND at_ms < :until AND (:tenant IS NULL OR tenant = :tenant) AND (:workload IS NULL OR workload = :workload)
    )
    GROUP BY workload`);
  query.setReadBigInts(true);
  return {
    async record(seen) {
      if (seen.length === 0) return;
      transaction(db, () => {
        prune.run(Math.max(...seen.map((s) => s.atMs)) - PROMPT_RETENTION_MS);
        for (const s of seen) insert.run(s.tenant, s.workload, s.fingerprint, s.costMicroUsd, s.atMs);
      });
    },
    async repeats(q) {
      const rows = query.all({ since: q.sinceMs, until: q.untilMs, tenant: q.tenant ?? null, workload: q.workload ?? null }) as Array<{ workload: string; requests: bigint; repeated: bigint; repeated_cost: bigint }>;
      return rows.map((r): WorkloadRepeats => ({ workload: r.workload, requests: Number(r.requests), repeated: Number(r.repeated), repeatedCostMicroUsd: BigInt(r.repeated_cost) })).sort(byCost);
    },
  };
}

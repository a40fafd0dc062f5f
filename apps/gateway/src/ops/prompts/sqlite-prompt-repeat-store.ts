import type { DatabaseSync } from 'node:sqlite';
import { transaction, type StoreSchema } from '@sophia/state-store';
import { byCost, dayOf, daysOf, PROMPT_RETENTION_DAYS, PROMPTS_PER_DAY, type PromptRepeatStore, type PromptRepeatStoreOptions, type WorkloadRepeats } from './prompt-repeat-store.ts';

/**
 * The `ops-prompt-repeats` store in the embedded state file. v2 replaces one row per request (≈ 110
 * bytes each, kept 31 days) by one row per tenant × workload × UTC day × distinct prompt, and folds
 * the rows v1 kept into it.
 */
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
    {
      version: 2,
      sql: `CREATE TABLE ops_prompt_day (
        tenant TEXT NOT NULL,
        workload TEXT NOT NULL,
        day INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        requests INTEGER NOT NULL,
        cost_micro_usd INTEGER NOT NULL,
        first_cost_micro_usd INTEGER NOT NULL,
        PRIMARY KEY (tenant, workload, day, fingerprint)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE ops_prompt_day_total (
        tenant TEXT NOT NULL,
        workload TEXT NOT NULL,
        day INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        tracked INTEGER NOT NULL,
        PRIMARY KEY (tenant, workload, day)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO ops_prompt_day (tenant, workload, day, fingerprint, requests, cost_micro_usd, first_cost_micro_usd)
        SELECT tenant, workload, day, fingerprint, COUNT(*), SUM(cost_micro_usd), SUM(CASE WHEN nth = 1 THEN cost_micro_usd ELSE 0 END)
        FROM (SELECT tenant, workload, at_ms / 86400000 AS day, fingerprint, cost_micro_usd,
                     ROW_NUMBER() OVER (PARTITION BY tenant, workload, at_ms / 86400000, fingerprint ORDER BY at_ms) AS nth
              FROM ops_prompt_seen)
        GROUP BY tenant, workload, day, fingerprint;
      INSERT INTO ops_prompt_day_total (tenant, workload, day, requests, tracked)
        SELECT tenant, workload, day, SUM(requests), COUNT(*) FROM ops_prompt_day GROUP BY tenant, workload, day;
      DROP TABLE ops_prompt_seen;`,
    },
  ],
};

/** A PromptRepeatStore on the embedded SQLite state file: repeats counted in SQL over the day rows. */
export function createSqlitePromptRepeatStore(db: DatabaseSync, options: PromptRepeatStoreOptions = {}): PromptRepeatStore {
  const cap = options.promptsPerDay ?? PROMPTS_PER_DAY;
  const countRequest = db.prepare(`INSERT INTO ops_prompt_day_total (tenant, workload, day, requests, tracked) VALUES (?, ?, ?, 1, 0)
    ON CONFLICT DO UPDATE SET requests = requests + 1 RETURNING tracked`);
  const addRepeat = db.prepare('UPDATE ops_prompt_day SET requests = requests + 1, cost_micro_usd = cost_micro_usd + ? WHERE tenant = ? AND workload = ? AND day = ? AND fingerprint = ?');
  const addPrompt = db.prepare('INSERT INTO ops_prompt_day (tenant, workload, day, fingerprint, requests, cost_micro_usd, first_cost_micro_usd) VALUES (?, ?, ?, ?, 1, ?, ?)');
  const countTracked = db.prepare('UPDATE ops_prompt_day_total SET tracked = tracked + 1 WHERE tenant = ? AND workload = ? AND day = ?');
  const prunePrompts = db.prepare('DELETE FROM ops_prompt_day WHERE day < ?');
  const pruneTotals = db.prepare('DELETE FROM ops_prompt_day_total WHERE day < ?');
  const filter = 'day BETWEEN :first AND :last AND (:tenant IS NULL OR tenant = :tenant) AND (:workload IS NULL OR workload = :workload)';
  // A prompt's first day in the window supplies its first cost (SQLite takes the bare column from the MIN row).
  const repeatedQuery = db.prepare(`
    SELECT workload, SUM(n) - COUNT(*) AS repeated, SUM(c - f) AS repeated_cost
    FROM (SELECT workload, SUM(requests) AS n, SUM(cost_micro_usd) AS c, first_cost_micro_usd AS f, MIN(day)
          FROM ops_prompt_day WHERE ${filter} GROUP BY tenant, workload, fingerprint)
    GROUP BY workload`);
  repeatedQuery.setReadBigInts(true);
  const totalsQuery = db.prepare(`SELECT workload, SUM(requests) AS requests FROM ops_prompt_day_total WHERE ${filter} GROUP BY workload`);
  totalsQuery.setReadBigInts(true);
  let prunedBefore = -Infinity;
  return {
    async record(seen) {
      if (seen.length === 0) return;
      transaction(db, () => {
        const oldest = dayOf(Math.max(...seen.map((s) => s.atMs))) - (PROMPT_RETENTION_DAYS - 1);
        if (oldest > prunedBefore) {
          prunePrompts.run(oldest);
          pruneTotals.run(oldest);
          prunedBefore = oldest;
        }
        for (const s of seen) {
          const day = dayOf(s.atMs);
          if (day < oldest) continue;
          const { tracked } = countRequest.get(s.tenant, s.workload, day) as { tracked: number };
          if (addRepeat.run(s.costMicroUsd, s.tenant, s.workload, day, s.fingerprint).changes > 0 || tracked >= cap) continue;
          addPrompt.run(s.tenant, s.workload, day, s.fingerprint, s.costMicroUsd, s.costMicroUsd);
          countTracked.run(s.tenant, s.workload, day);
        }
      });
    },
    async repeats(q) {
      const { first, last } = daysOf(q);
      const params = { first, last, tenant: q.tenant ?? null, workload: q.workload ?? null };
      const repeated = new Map((repeatedQuery.all(params) as Array<{ workload: string; repeated: bigint; repeated_cost: bigint }>).map((r) => [r.workload, r]));
      return (totalsQuery.all(params) as Array<{ workload: string; requests: bigint }>)
        .map((t): WorkloadRepeats => {
          const r = repeated.get(t.workload);
          return { workload: t.workload, requests: Number(t.requests), repeated: Number(r?.repeated ?? 0n), repeatedCostMicroUsd: r?.repeated_cost ?? 0n };
        })
        .sort(byCost);
    },
  };
}

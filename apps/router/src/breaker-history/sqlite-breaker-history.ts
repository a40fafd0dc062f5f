// Breaker transitions in the embedded state file: one INSERT per transition (rare: a breaker changes
// state a few times per incident) and a retention sweep in the same transaction.
import type { DatabaseSync } from 'node:sqlite';
import { transaction } from '@sophia/state-store';
import { parseBreakerState, type BreakerHistory, type BreakerHistoryRetention, type BreakerTransitionRecord } from './breaker-history.ts';

/** The history on `db`, which must have BREAKER_HISTORY_SCHEMA migrated. */
export function createSqliteBreakerHistory(db: DatabaseSync, retention: BreakerHistoryRetention, onError: (err: Error) => void): BreakerHistory {
  const q = {
    insert: db.prepare('INSERT INTO router_breaker_transitions (target, from_state, to_state, at_ms) VALUES (?, ?, ?, ?)'),
    sweep: db.prepare(
      `DELETE FROM router_breaker_transitions WHERE at_ms < ?
         OR id <= (SELECT id FROM router_breaker_transitions ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    ),
    recent: db.prepare('SELECT target, from_state, to_state, at_ms FROM router_breaker_transitions WHERE at_ms >= ? ORDER BY id DESC LIMIT ?'),
  };
  return {
    record(t) {
      try {
        transaction(db, () => {
          q.insert.run(t.target, t.from, t.to, t.atMs);
          q.sweep.run(t.atMs - retention.maxAgeMs, retention.maxEntries);
        });
      } catch (err) {
        onError(err as Error);
      }
    },
    async recent(limit, nowMs) {
      const rows = q.recent.all(nowMs - retention.maxAgeMs, limit) as Array<{ target: string; from_state: string; to_state: string; at_ms: number }>;
      return rows.flatMap((r): BreakerTransitionRecord[] => {
        const from = parseBreakerState(r.from_state);
        const to = parseBreakerState(r.to_state);
        return from && to ? [{ target: r.target, from, to, atMs: r.at_ms }] : [];
      });
    },
  };
}

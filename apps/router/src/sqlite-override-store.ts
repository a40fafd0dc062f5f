// Overrides in the embedded state file (the default without SOPHIA_REDIS_URL): they and their remaining
// counts survive a restart. A claim is one UPDATE … WHERE remaining > 0 RETURNING, so "next N" is
// exactly N even with other processes of the mesh sharing the file. A count that reaches 0 stays
// refundable for REFUND_GRACE_MS (invisible to routing), as in Redis. Reads filter dead rows
// themselves; deleting them is housekeeping, done at most once per SWEEP_INTERVAL_MS instead of on
// every request's list. The live rows are read and decoded once and kept with the table's version
// (a row bumped by triggers on every change, whoever makes it): a request's list reads that one row
// and re-reads the table only when it moved; expiry is applied to the kept rows at each list.
import type { DatabaseSync } from 'node:sqlite';
import { REFUND_GRACE_MS, type OverrideStore } from './override-store.ts';
import type { RoutingOverride } from './routing-override.ts';
import { decodeStoredOverride } from './stored-override.ts';

/** How often dead rows (expired, or used up past the refund grace) are deleted, at most. */
export const SWEEP_INTERVAL_MS = 5_000;

/** Options for createSqliteOverrideStore. */
export interface SqliteOverrideStoreOptions {
  /** @default Date.now */
  readonly clock?: () => number;
  /** Called for a stored entry that cannot be decoded (it is skipped). */
  readonly onCorrupt?: (id: string, error: Error) => void;
}

/** The store on `db`, which must have OVERRIDE_SCHEMA migrated. */
export function createSqliteOverrideStore(db: DatabaseSync, options: SqliteOverrideStoreOptions = {}): OverrideStore {
  const clock = options.clock ?? Date.now;
  const q = {
    sweep: db.prepare(
      `DELETE FROM router_overrides WHERE (expires_at_ms IS NOT NULL AND expires_at_ms <= ?)
         OR (remaining IS NOT NULL AND remaining <= 0 AND coalesce(used_up_until_ms, 0) <= ?)`,
    ),
    live: db.prepare('SELECT id, json, remaining FROM router_overrides WHERE (remaining IS NULL OR remaining > 0) AND (expires_at_ms IS NULL OR expires_at_ms > ?) ORDER BY id'),
    version: db.prepare('SELECT v FROM router_overrides_version WHERE id = 1'),
    upsert: db.prepare(
      `INSERT INTO router_overrides (id, json, remaining, expires_at_ms, used_up_until_ms) VALUES (?, ?, ?, ?, NULL)
       ON CONFLICT (id) DO UPDATE SET json = excluded.json, remaining = excluded.remaining, expires_at_ms = excluded.expires_at_ms, used_up_until_ms = NULL`,
    ),
    remove: db.prepare('DELETE FROM router_overrides WHERE id = ?'),
    claim: db.prepare(
      `UPDATE router_overrides SET remaining = remaining - 1,
         used_up_until_ms = CASE WHEN remaining = 1 THEN ? ELSE NULL END
       WHERE id = ? AND remaining > 0 AND (expires_at_ms IS NULL OR expires_at_ms > ?) RETURNING remaining`,
    ),
    refund: db.prepare(
      `UPDATE router_overrides SET remaining = remaining + 1, used_up_until_ms = NULL
       WHERE id = ? AND remaining IS NOT NULL AND (expires_at_ms IS NULL OR expires_at_ms > ?)
         AND (remaining > 0 OR used_up_until_ms > ?)`,
    ),
  };
  let nextSweepAt = -Infinity;
  const sweep = (now: number, force = false): void => {
    if (!force && now < nextSweepAt) return;
    q.sweep.run(now, now);
    nextSweepAt = now + SWEEP_INTERVAL_MS;
  };
  /** Live rows as of `readAt`, decoded, with the table version they were read at. */
  let kept: { version: number; readAt: number; overrides: readonly RoutingOverride[] } | undefined;
  const read = (now: number): RoutingOverride[] => {
    const live: RoutingOverride[] = [];
    for (const row of q.live.all(now) as Array<{ id: string; json: string; remaining: number | null }>) {
      try {
        const o = decodeStoredOverride(row.id, row.json);
        live.push({ ...o, remaining: row.remaining ?? undefined });
      } catch (error) {
        options.onCorrupt?.(row.id, error as Error);
      }
    }
    return live;
  };
  return {
    // Kept across restarts, but only the processes of this mesh (this data directory) see them.
    shared: false,
    async list(now) {
      sweep(now);
      const version = (q.version.get() as { v: number }).v;
      if (kept === undefined || kept.version !== version || now < kept.readAt) kept = { version, readAt: now, overrides: read(now) };
      return kept.overrides.filter((o) => o.expiresAt === undefined || o.expiresAt > now);
    },
    async add(o) {
      q.upsert.run(o.id, JSON.stringify({ ...o, remaining: o.remaining === undefined ? undefined : true }), o.remaining ?? null, o.expiresAt ?? null);
    },
    async remove(id) {
      // A dead row not swept yet must not count as removed (it was already gone for every reader).
      sweep(clock(), true);
      return q.remove.run(id).changes > 0;
    },
    async claim(id) {
      const now = clock();
      const row = q.claim.get(now + REFUND_GRACE_MS, id, now) as { remaining: number } | undefined;
      return row?.remaining;
    },
    async refund(o) {
      const now = clock();
      q.refund.run(o.id, now, now);
    },
  };
}

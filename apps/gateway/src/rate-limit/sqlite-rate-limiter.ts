import type { DatabaseSync } from 'node:sqlite';
import { transaction, type StoreSchema } from '@sophia/state-store';
import { levelAt, msUntil, WINDOW_MS, type Bucket } from './token-bucket.ts';
import { CONCURRENCY_RETRY_MS, scopesOf, viewOf, type Admission, type RateLimiter, type RefusalReason, type ScopeLevels } from './rate-limiter.ts';

/**
 * The `gateway-rate-limiter` store in the embedded state file: token buckets (level at a time) and
 * in-flight leases. Rows expire (an idle bucket is full again after one window; a lease at its
 * deadline), so the file holds only the callers of the last couple of minutes.
 */
export const RATE_LIMITER_SCHEMA: StoreSchema = {
  name: 'gateway-rate-limiter',
  migrations: [
    {
      version: 1,
      sql: `CREATE TABLE gateway_rate_buckets (id TEXT PRIMARY KEY, level REAL NOT NULL, updated_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL) STRICT;
        CREATE INDEX gateway_rate_buckets_expiry ON gateway_rate_buckets (expires_ms);
        CREATE TABLE gateway_rate_leases (scope TEXT NOT NULL, lease TEXT NOT NULL, expires_ms INTEGER NOT NULL, PRIMARY KEY (scope, lease)) STRICT;
        CREATE INDEX gateway_rate_leases_expiry ON gateway_rate_leases (expires_ms);`,
    },
  ],
};

/** Expired rows removed per admission: bounded work on the hot path, still faster than rows expire. */
const PRUNE_BATCH = 16;

/**
 * The limiter of the embedded mode (no Redis): buckets and slots in the state file, so a restart
 * keeps the last minute's charges and every process on the data directory shares them. Each admit
 * is one SQLite transaction (synchronous: nothing interleaves), checking and charging every scope
 * or none — the same arithmetic as the Redis script, checked by the same contract suite. Open the
 * handle with group commit: these rows need no fsync per request (a power cut loses at most the
 * counts of the last moment, which errs towards admitting).
 */
export function createSqliteRateLimiter(db: DatabaseSync): RateLimiter {
  const getBucket = db.prepare('SELECT level, updated_ms FROM gateway_rate_buckets WHERE id = ?');
  const putBucket = db.prepare(
    'INSERT INTO gateway_rate_buckets (id, level, updated_ms, expires_ms) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET level = excluded.level, updated_ms = excluded.updated_ms, expires_ms = excluded.expires_ms',
  );
  const pruneBuckets = db.prepare('DELETE FROM gateway_rate_buckets WHERE id IN (SELECT id FROM gateway_rate_buckets WHERE expires_ms <= ? LIMIT ?)');
  const pruneScopeLeases = db.prepare('DELETE FROM gateway_rate_leases WHERE scope = ? AND expires_ms <= ?');
  const pruneLeases = db.prepare('DELETE FROM gateway_rate_leases WHERE rowid IN (SELECT rowid FROM gateway_rate_leases WHERE expires_ms <= ? LIMIT ?)');
  const countLeases = db.prepare('SELECT COUNT(*) AS n FROM gateway_rate_leases WHERE scope = ?');
  const putLease = db.prepare('INSERT OR REPLACE INTO gateway_rate_leases (scope, lease, expires_ms) VALUES (?, ?, ?)');
  const dropLease = db.prepare('DELETE FROM gateway_rate_leases WHERE scope = ? AND lease = ?');

  const bucket = (id: string): Bucket | undefined => {
    const row = getBucket.get(id) as { level: number; updated_ms: number } | undefined;
    return row ? { level: row.level, updatedMs: row.updated_ms } : undefined;
  };
  // A bucket in debt needs up to two windows to be full again; after that its row says nothing.
  const setBucket = (id: string, level: number, nowMs: number): void => void putBucket.run(id, level, nowMs, nowMs + 2 * WINDOW_MS);
  const inFlight = (scope: string, nowMs: number): number => {
    pruneScopeLeases.run(scope, nowMs);
    return Number((countLeases.get(scope) as { n: number | bigint }).n);
  };

  return {
    admit(req): Promise<Admission> {
      const scopes = scopesOf(req);
      const now = req.nowMs;
      const decision = transaction(db, (): Admission => {
        pruneBuckets.run(now, PRUNE_BATCH);
        pruneLeases.run(now, PRUNE_BATCH);
        const levels: ScopeLevels[] = [];
        let refusal: { reason: RefusalReason; scope: 'key' | 'tenant'; retryAfterMs: number | undefined } | undefined;
        for (const scope of scopes) {
          const { requestsPerMinute: rpm, tokensPerMinute: tpm, concurrentRequests: conc } = scope.limits;
          const r = rpm === undefined ? NaN : levelAt(bucket(`${scope.id}:r`), rpm, now);
          const t = tpm === undefined ? NaN : levelAt(bucket(`${scope.id}:t`), tpm, now);
          levels.push({ requests: r, tokens: t });
          if (refusal) continue;
          if (rpm !== undefined && r < 1) refusal = { reason: 'requests', scope: scope.name, retryAfterMs: msUntil(r, 1, rpm) };
          else if (tpm !== undefined && req.tokens > tpm) refusal = { reason: 'too_large', scope: scope.name, retryAfterMs: undefined };
          else if (tpm !== undefined && t < req.tokens) refusal = { reason: 'tokens', scope: scope.name, retryAfterMs: msUntil(t, req.tokens, tpm) };
          else if (conc !== undefined && inFlight(scope.id, now) >= conc) refusal = { reason: 'concurrency', scope: scope.name, retryAfterMs: CONCURRENCY_RETRY_MS };
        }
        if (refusal) return { admitted: false, ...refusal, view: viewOf(scopes, levels) };
        const after = scopes.map((scope, i): ScopeLevels => {
          const { requestsPerMinute: rpm, tokensPerMinute: tpm, concurrentRequests: conc } = scope.limits;
          const before = levels[i]!;
          if (rpm !== undefined) setBucket(`${scope.id}:r`, before.requests - 1, now);
          if (tpm !== undefined) setBucket(`${scope.id}:t`, before.tokens - req.tokens, now);
          if (conc !== undefined) putLease.run(scope.id, req.leaseId, now + req.leaseMs);
          return { requests: before.requests - 1, tokens: before.tokens - req.tokens };
        });
        return { admitted: true, view: viewOf(scopes, after) };
      });
      return Promise.resolve(decision);
    },
    settle(req): Promise<void> {
      transaction(db, () => {
        for (const scope of scopesOf(req)) {
          dropLease.run(scope.id, req.leaseId);
          const tpm = scope.limits.tokensPerMinute;
          if (tpm === undefined || req.tokenDelta === 0) continue;
          const level = levelAt(bucket(`${scope.id}:t`), tpm, req.nowMs);
          // Debt is capped at one window: a single huge answer never locks a tenant out for longer.
          setBucket(`${scope.id}:t`, Math.max(-tpm, level - req.tokenDelta), req.nowMs);
        }
      });
      return Promise.resolve();
    },
  };
}

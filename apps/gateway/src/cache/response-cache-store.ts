import type { DatabaseSync } from 'node:sqlite';
import type { Cluster, Redis } from 'ioredis';
import { transaction, type StoreSchema } from '@sophia/state-store';

/**
 * Cached answers: the router's events of one answered request, serialized, until they expire.
 * Redis when replicas share state, the embedded state file otherwise — both bounded.
 */
export interface ResponseCacheStore {
  /** The stored events, or undefined when absent or expired. */
  get(key: string, nowMs: number): Promise<readonly string[] | undefined>;
  put(key: string, events: readonly string[], nowMs: number, ttlMs: number): Promise<void>;
}

/** The `gateway-response-cache` store in the embedded state file. */
export const RESPONSE_CACHE_SCHEMA: StoreSchema = {
  name: 'gateway-response-cache',
  migrations: [
    {
      version: 1,
      sql: `CREATE TABLE gateway_response_cache (key TEXT PRIMARY KEY, expires_at_ms INTEGER NOT NULL, events TEXT NOT NULL) STRICT;
        CREATE INDEX gateway_response_cache_expiry ON gateway_response_cache (expires_at_ms);`,
    },
  ],
};

/**
 * The cache in the embedded state file. Each put removes expired rows and, past `maxEntries`,
 * the entries closest to expiry, so the file cannot grow without bound.
 */
export function createSqliteResponseCacheStore(db: DatabaseSync, maxEntries = 10_000): ResponseCacheStore {
  const select = db.prepare('SELECT events FROM gateway_response_cache WHERE key = ? AND expires_at_ms > ?');
  const upsert = db.prepare('INSERT INTO gateway_response_cache (key, expires_at_ms, events) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET expires_at_ms = excluded.expires_at_ms, events = excluded.events');
  const prune = db.prepare('DELETE FROM gateway_response_cache WHERE expires_at_ms <= ?');
  const count = db.prepare('SELECT COUNT(*) AS n FROM gateway_response_cache');
  const evict = db.prepare('DELETE FROM gateway_response_cache WHERE key IN (SELECT key FROM gateway_response_cache ORDER BY expires_at_ms LIMIT ?)');
  return {
    get(key, nowMs) {
      const row = select.get(key, nowMs) as { events: string } | undefined;
      return Promise.resolve(row ? (JSON.parse(row.events) as string[]) : undefined);
    },
    put(key, events, nowMs, ttlMs) {
      transaction(db, () => {
        prune.run(nowMs);
        const n = Number((count.get() as { n: number | bigint }).n);
        if (n >= maxEntries) evict.run(n - maxEntries + 1);
        upsert.run(key, nowMs + ttlMs, JSON.stringify(events));
      });
      return Promise.resolve();
    },
  };
}

/**
 * The cache in Redis: one string per answer with a TTL (Redis's own expiry and eviction bound
 * memory); the expiry is also kept in the value so every replica judges freshness by the same clock
 * as the embedded store.
 */
export function createRedisResponseCacheStore(redis: Redis | Cluster, keyPrefix = 'sophia:cache:'): ResponseCacheStore {
  return {
    async get(key, nowMs) {
      const json = await redis.get(`${keyPrefix}${key}`);
      if (json === null) return undefined;
      const entry = JSON.parse(json) as { expiresAtMs: number; events: string[] };
      return entry.expiresAtMs > nowMs ? entry.events : undefined;
    },
    async put(key, events, nowMs, ttlMs) {
      await redis.set(`${keyPrefix}${key}`, JSON.stringify({ expiresAtMs: nowMs + ttlMs, events }), 'PX', ttlMs);
    },
  };
}

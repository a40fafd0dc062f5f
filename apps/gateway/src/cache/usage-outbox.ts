import type { DatabaseSync } from 'node:sqlite';
import type { Cluster, Redis } from 'ioredis';
import type { StoreSchema } from '@sophia/state-store';

/** One kept usage event: its request id (the ledger's idempotency key) and the event as protobuf bytes. */
export interface UsageOutboxEntry {
  readonly requestId: string;
  readonly event: Uint8Array;
}

/**
 * Usage the gateway owes the ledger: a cache hit's record is kept here before the hit is served and
 * removed once the ledger acknowledged it, so a ledger outage or a gateway crash between the answer
 * and the record loses nothing (the router keeps its own commits the same way). The embedded state
 * file, or Redis when replicas share state.
 */
export interface UsageOutbox {
  /** Keeps an event (a second one for the same request id is ignored: the first stands). */
  add(entry: UsageOutboxEntry): Promise<void>;
  /** Up to `limit` kept entries (the oldest first where the store keeps an order). */
  head(limit: number): Promise<UsageOutboxEntry[]>;
  remove(requestId: string): Promise<void>;
}

/** The `gateway-usage-outbox` store in the embedded state file. */
export const USAGE_OUTBOX_SCHEMA: StoreSchema = {
  name: 'gateway-usage-outbox',
  migrations: [
    {
      version: 1,
      sql: `CREATE TABLE gateway_usage_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL UNIQUE, event BLOB NOT NULL) STRICT;`,
    },
  ],
};

/** The outbox in the embedded state file (USAGE_OUTBOX_SCHEMA migrated). */
export function createSqliteUsageOutbox(db: DatabaseSync): UsageOutbox {
  const insert = db.prepare('INSERT INTO gateway_usage_outbox (request_id, event) VALUES (?, ?) ON CONFLICT (request_id) DO NOTHING');
  const head = db.prepare('SELECT request_id, event FROM gateway_usage_outbox ORDER BY seq LIMIT ?');
  const remove = db.prepare('DELETE FROM gateway_usage_outbox WHERE request_id = ?');
  return {
    add(entry) {
      insert.run(entry.requestId, entry.event);
      return Promise.resolve();
    },
    head(limit) {
      const rows = head.all(limit) as Array<{ request_id: string; event: Uint8Array }>;
      return Promise.resolve(rows.map((row) => ({ requestId: row.request_id, event: new Uint8Array(row.event) })));
    },
    remove(requestId) {
      remove.run(requestId);
      return Promise.resolve();
    },
  };
}

/**
 * The outbox in Redis: one hash, request id → event (base64). Every replica may replay it; the
 * ledger records by request id, so an entry replayed twice is recorded once.
 */
export function createRedisUsageOutbox(redis: Redis | Cluster, key = 'sophia:gateway:usage-outbox'): UsageOutbox {
  return {
    async add(entry) {
      await redis.hsetnx(key, entry.requestId, Buffer.from(entry.event).toString('base64'));
    },
    async head(limit) {
      const [, flat] = await redis.hscan(key, '0', 'COUNT', limit);
      const entries: UsageOutboxEntry[] = [];
      for (let i = 0; i + 1 < flat.length && entries.length < limit; i += 2) entries.push({ requestId: flat[i]!, event: new Uint8Array(Buffer.from(flat[i + 1]!, 'base64')) });
      return entries;
    },
    async remove(requestId) {
      await redis.hdel(key, requestId);
    },
  };
}

import type { DatabaseSync } from 'node:sqlite';
import type { Cluster, Redis } from 'ioredis';
import { transaction, type StoreSchema } from '@sophia/state-store';
import { tenantRateLimitsJson, tenantRateLimitsSchema, type TenantRateLimits } from './rate-limits.ts';

/**
 * Per-tenant limits set through the operator API, over the ones in config. Durable (they must
 * outlive the process): the embedded state file, or Redis when replicas share state.
 */
export interface RateLimitStore {
  get(tenant: string): Promise<TenantRateLimits | undefined>;
  /** Sets a tenant's limits; undefined removes the override (config applies again). */
  set(tenant: string, limits: TenantRateLimits | undefined): Promise<void>;
  list(): Promise<ReadonlyMap<string, TenantRateLimits>>;
}

const decode = (json: string): TenantRateLimits => tenantRateLimitsSchema.parse(JSON.parse(json));
const encode = (limits: TenantRateLimits): string => JSON.stringify(tenantRateLimitsJson(limits));

/** The `gateway-rate-limits` store in the embedded state file. */
export const RATE_LIMIT_STORE_SCHEMA: StoreSchema = {
  name: 'gateway-rate-limits',
  migrations: [{ version: 1, sql: 'CREATE TABLE gateway_rate_limits (tenant TEXT PRIMARY KEY, json TEXT NOT NULL) STRICT' }],
};

/**
 * A RateLimitStore on the embedded SQLite file; each write durable when it returns (`durable` is the
 * handle's flush when it was opened with group commit).
 */
export function createSqliteRateLimitStore(db: DatabaseSync, durable: () => Promise<void> = () => Promise.resolve()): RateLimitStore {
  const select = db.prepare('SELECT json FROM gateway_rate_limits WHERE tenant = ?');
  const upsert = db.prepare('INSERT INTO gateway_rate_limits (tenant, json) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET json = excluded.json');
  const remove = db.prepare('DELETE FROM gateway_rate_limits WHERE tenant = ?');
  const all = db.prepare('SELECT tenant, json FROM gateway_rate_limits ORDER BY tenant');
  return {
    get(tenant) {
      const row = select.get(tenant) as { json: string } | undefined;
      return Promise.resolve(row ? decode(row.json) : undefined);
    },
    set(tenant, limits) {
      transaction(db, () => (limits ? upsert.run(tenant, encode(limits)) : remove.run(tenant)));
      return durable();
    },
    list() {
      const rows = all.all() as Array<{ tenant: string; json: string }>;
      return Promise.resolve(new Map(rows.map((r) => [r.tenant, decode(r.json)])));
    },
  };
}

/** A RateLimitStore in one Redis hash (tenant → JSON), shared by every gateway replica. */
export function createRedisRateLimitStore(redis: Redis | Cluster, key = 'sophia:ratelimit:policies'): RateLimitStore {
  return {
    async get(tenant) {
      const json = await redis.hget(key, tenant);
      return json === null ? undefined : decode(json);
    },
    async set(tenant, limits) {
      if (limits) await redis.hset(key, tenant, encode(limits));
      else await redis.hdel(key, tenant);
    },
    async list() {
      const all = await redis.hgetall(key);
      return new Map(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)).map(([t, json]) => [t, decode(json)]));
    },
  };
}

// FleetStore in Redis, for replicas of gpu-inference sharing one fleet view: a hash of instance
// records, a set of live ids, and a capped audit list (newest first).
import type { Cluster, Redis } from 'ioredis';
import type { FleetAuditEntry, FleetInstance, FleetStore } from './fleet-store.ts';

/** Options for createRedisFleetStore. */
export interface RedisFleetStoreOptions {
  readonly redis: Redis | Cluster;
  /** Hash-tagged so every key lands in one cluster slot. @default "{sophia:fleet}:" */
  readonly keyPrefix?: string;
  /** Audit entries kept. @default 10000 */
  readonly auditLimit?: number;
}

/** A FleetStore over Redis. */
export function createRedisFleetStore(options: RedisFleetStoreOptions): FleetStore {
  const { redis } = options;
  const prefix = options.keyPrefix ?? '{sophia:fleet}:';
  const instancesKey = `${prefix}instances`;
  const liveKey = `${prefix}live`;
  const auditKey = `${prefix}audit`;
  const auditLimit = options.auditLimit ?? 10_000;
  return {
    async liveInstances() {
      const ids = await redis.smembers(liveKey);
      if (ids.length === 0) return [];
      const rows = await redis.hmget(instancesKey, ...ids);
      return rows
        .filter((r): r is string => r !== null)
        .map((r) => JSON.parse(r) as FleetInstance)
        .sort((a, b) => a.launchedAt - b.launchedAt || a.id.localeCompare(b.id));
    },
    async putInstance(instance) {
      const tx = redis.multi().hset(instancesKey, instance.id, JSON.stringify(instance));
      if (instance.state === 'terminated') tx.srem(liveKey, instance.id);
      else tx.sadd(liveKey, instance.id);
      await tx.exec();
    },
    async getInstance(id) {
      const row = await redis.hget(instancesKey, id);
      return row === null ? undefined : (JSON.parse(row) as FleetInstance);
    },
    async appendAudit(entry) {
      await redis
        .multi()
        .lpush(auditKey, JSON.stringify(entry))
        .ltrim(auditKey, 0, auditLimit - 1)
        .exec();
    },
    async recentAudit(limit) {
      return (await redis.lrange(auditKey, 0, limit - 1)).map((r) => JSON.parse(r) as FleetAuditEntry);
    },
    close: () => Promise.resolve(),
  };
}

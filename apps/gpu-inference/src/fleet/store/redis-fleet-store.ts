// FleetStore in Redis, for replicas of gpu-inference sharing one fleet view: a hash of instance
// records, a set of live ids, a capped audit list (newest first), a hash of holds per tier, and the
// controller lease as one key taken with SET NX PX and renewed by its holder in one script.
import type { Cluster, Redis } from 'ioredis';
import { sortHolds, type FleetAuditEntry, type FleetHold, type FleetInstance, type FleetStore } from './fleet-store.ts';

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
  const holdsKey = `${prefix}holds`;
  const leaseKey = `${prefix}lease`;
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
    async putHold(hold) {
      await redis.hset(holdsKey, hold.tier, JSON.stringify(hold));
    },
    async activeHolds(nowMs) {
      const all = Object.values(await redis.hgetall(holdsKey)).map((r) => JSON.parse(r) as FleetHold);
      return sortHolds(all.filter((h) => h.untilMs > nowMs));
    },
    async tryLease(holder, _nowMs, ttlMs) {
      // Redis' own clock expires the key, so replicas' clock skew cannot give two holders at once.
      const taken = (await redis.eval(LEASE_SCRIPT, 1, leaseKey, holder, String(ttlMs))) as number;
      return taken === 1;
    },
    async releaseLease(holder) {
      await redis.eval(RELEASE_SCRIPT, 1, leaseKey, holder);
    },
    close: () => Promise.resolve(),
  };
}

// Take the lease when free, renew it when ours; 1 = held by ARGV[1] now.
const LEASE_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;

// Delete the lease only if ARGV[1] holds it.
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// FleetStore in Redis, for replicas of gpu-inference sharing one fleet view: a hash of instance
// records, a set of live ids, a capped audit list (newest first), a hash of holds per tier, the
// controller lease as one key taken with SET NX PX and renewed by its holder in one script, and per
// tier the weekly demand profile (a hash of `slot:r|p|c` counters, added once per minute by a script
// that keeps the tier's first and last minute).
import type { Cluster, Redis } from 'ioredis';
import { MINUTES_PER_WEEK, sortHolds, weekSlot, type FleetAuditEntry, type FleetHold, type FleetInstance, type FleetStore } from './fleet-store.ts';

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
  const weeklyKey = (tier: string): string => `${prefix}weekly:${tier}`;
  const marksKey = (tier: string): string => `${prefix}weekly-marks:${tier}`;
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
    async addWeeklyDemand(tier, minute, demand) {
      const r = Math.round(demand.requests);
      const p = Math.round(demand.promptTokens);
      const c = Math.round(demand.completionTokens);
      const added = (await redis.eval(ADD_WEEKLY_SCRIPT, 2, weeklyKey(tier), marksKey(tier), String(minute), String(weekSlot(minute)), String(r), String(p), String(c))) as number;
      return added === 1;
    },
    async weeklyDemand(tier, fromMinute, minutes) {
      const fields: string[] = [];
      for (let m = fromMinute; m < fromMinute + Math.min(minutes, MINUTES_PER_WEEK); m++) {
        const slot = weekSlot(m);
        fields.push(`${slot}:r`, `${slot}:p`, `${slot}:c`);
      }
      const [values, first] = await Promise.all([fields.length === 0 ? Promise.resolve([]) : redis.hmget(weeklyKey(tier), ...fields), redis.hget(marksKey(tier), 'first')]);
      const total = { requests: 0, promptTokens: 0, completionTokens: 0 };
      values.forEach((v, i) => {
        const n = v === null ? 0 : Number(v);
        if (i % 3 === 0) total.requests += n;
        else if (i % 3 === 1) total.promptTokens += n;
        else total.completionTokens += n;
      });
      return { total, firstMinute: first === null ? undefined : Number(first) };
    },
    close: () => Promise.resolve(),
  };
}

// Add a minute to its weekly slot once: only after the tier's last added minute. 1 = added.
const ADD_WEEKLY_SCRIPT = `
local last = redis.call('HGET', KEYS[2], 'last')
if last and tonumber(ARGV[1]) <= tonumber(last) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[2] .. ':r', ARGV[3])
redis.call('HINCRBY', KEYS[1], ARGV[2] .. ':p', ARGV[4])
redis.call('HINCRBY', KEYS[1], ARGV[2] .. ':c', ARGV[5])
redis.call('HSETNX', KEYS[2], 'first', ARGV[1])
redis.call('HSET', KEYS[2], 'last', ARGV[1])
return 1`;

// Take the lease when free, renew it when ours; 1 = held by ARGV[1] now.
const LEASE_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;

// Delete the lease only if ARGV[1] holds it.
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

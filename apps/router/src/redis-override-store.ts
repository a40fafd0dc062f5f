import type { Cluster, Redis } from 'ioredis';
import { REFUND_GRACE_MS, type OverrideStore } from './override-store.ts';
import type { RoutingOverride } from './routing-override.ts';
import { decodeStoredOverride } from './stored-override.ts';

/** Options for createRedisOverrideStore. */
export interface RedisOverrideStoreOptions {
  readonly redis: Redis | Cluster;
  /** Key prefix; keys share the `{overrides}` hash tag so the claim script works on Redis Cluster. @default "sophia:router:" */
  readonly keyPrefix?: string;
  /** Called for a stored entry that cannot be decoded (it is skipped). */
  readonly onCorrupt?: (id: string, error: Error) => void;
}

// KEYS[1] = the override's counter; ARGV[1] = refund grace (ms). Decrement only when positive, so
// concurrent claims from any number of replicas take exactly N. A count that reaches 0 is kept for the
// grace period (a refused request may give its use back), then expires; routing ignores it meanwhile.
const CLAIM = `
local n = tonumber(redis.call('GET', KEYS[1]))
if n == nil or n <= 0 then return -1 end
n = redis.call('DECR', KEYS[1])
if n == 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

// KEYS[1] = definitions hash, KEYS[2] = counter; ARGV[1] = id, ARGV[2] = expiry (epoch ms) or ''.
// Gives one use back when the override still exists (not cleared, not expired), restoring the
// counter's expiry to the override's own.
const REFUND = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
local n = redis.call('INCR', KEYS[2])
if ARGV[2] == '' then redis.call('PERSIST', KEYS[2]) else redis.call('PEXPIREAT', KEYS[2], ARGV[2]) end
return n`;

type OverrideCommands = {
  sophiaClaimOverride(counter: string, graceMs: number): Promise<number>;
  sophiaRefundOverride(defs: string, counter: string, id: string, expiresAt: string): Promise<number>;
};

/**
 * Overrides in Redis: definitions in one hash (JSON per id), each count in its own key (expiring
 * with the override). `claim` runs the DECR-if-positive script above, `refund` the INCR-if-present one.
 */
export function createRedisOverrideStore(options: RedisOverrideStoreOptions): OverrideStore {
  const { redis } = options;
  const prefix = options.keyPrefix ?? 'sophia:router:';
  const defsKey = `${prefix}{overrides}:defs`;
  const counterKey = (id: string): string => `${prefix}{overrides}:remaining:${id}`;
  if (!('sophiaClaimOverride' in redis)) redis.defineCommand('sophiaClaimOverride', { numberOfKeys: 1, lua: CLAIM });
  if (!('sophiaRefundOverride' in redis)) redis.defineCommand('sophiaRefundOverride', { numberOfKeys: 2, lua: REFUND });
  const commands = redis as unknown as OverrideCommands;

  return {
    shared: true,
    async list(now) {
      const raw = await redis.hgetall(defsKey);
      const decoded: RoutingOverride[] = [];
      for (const [id, json] of Object.entries(raw)) {
        try {
          decoded.push(decodeStoredOverride(id, json));
        } catch (err) {
          options.onCorrupt?.(id, err as Error);
        }
      }
      const counted = decoded.filter((o) => o.remaining !== undefined);
      const counts = counted.length > 0 ? await redis.mget(counted.map((o) => counterKey(o.id))) : [];
      // null: the counter is gone (used up past the refund grace, or expired with the override).
      const remaining = new Map(counted.map((o, i) => [o.id, counts[i] === null || counts[i] === undefined ? null : Number(counts[i])]));
      const live: RoutingOverride[] = [];
      const gone: string[] = [];
      const timedOut: RoutingOverride[] = [];
      for (const o of decoded) {
        const left = remaining.get(o.id);
        if (left === null) gone.push(o.id);
        else if (o.expiresAt !== undefined && o.expiresAt <= now) timedOut.push(o);
        else if (left === undefined) live.push(o);
        else if (left > 0) live.push({ ...o, remaining: left });
      }
      // This replica stops using an override at its own clock's expiry, but only Redis's clock may
      // delete one for every replica: a replica whose clock runs ahead must not end "until T" early.
      if (timedOut.length > 0) {
        const [seconds, micros] = await redis.time();
        const serverNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
        gone.push(...timedOut.filter((o) => o.expiresAt! <= serverNow).map((o) => o.id));
      }
      if (gone.length > 0) await redis.hdel(defsKey, ...gone);
      return live;
    },
    async add(o) {
      const tx = redis.multi().hset(defsKey, o.id, JSON.stringify({ ...o, remaining: o.remaining === undefined ? undefined : true }));
      if (o.remaining !== undefined) {
        if (o.expiresAt !== undefined) tx.set(counterKey(o.id), o.remaining, 'PXAT', o.expiresAt);
        else tx.set(counterKey(o.id), o.remaining);
      }
      await tx.exec();
    },
    async remove(id) {
      const [[, removed] = [null, 0]] = (await redis.multi().hdel(defsKey, id).del(counterKey(id)).exec()) ?? [];
      return removed === 1;
    },
    async claim(id) {
      const left = await commands.sophiaClaimOverride(counterKey(id), REFUND_GRACE_MS);
      return left < 0 ? undefined : left;
    },
    async refund(o) {
      await commands.sophiaRefundOverride(defsKey, counterKey(o.id), o.id, o.expiresAt === undefined ? '' : String(o.expiresAt));
    },
  };
}

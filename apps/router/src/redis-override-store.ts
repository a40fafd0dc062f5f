import type { Cluster, Redis } from 'ioredis';
import type { OverrideStore } from './override-store.ts';
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

// KEYS[1] = definitions hash, KEYS[2] = the override's counter; ARGV[1] = id.
// Decrement only when positive, so concurrent claims from any number of replicas take exactly N.
const CLAIM = `
local n = tonumber(redis.call('GET', KEYS[2]))
if n == nil or n <= 0 then return -1 end
n = redis.call('DECR', KEYS[2])
if n == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return n`;

type ClaimCommand = { sophiaClaimOverride(defs: string, counter: string, id: string): Promise<number> };

/**
 * Overrides in Redis: definitions in one hash (JSON per id), each count in its own key (expiring
 * with the override). `claim` runs the DECR-if-positive script above.
 */
export function createRedisOverrideStore(options: RedisOverrideStoreOptions): OverrideStore {
  const { redis } = options;
  const prefix = options.keyPrefix ?? 'sophia:router:';
  const defsKey = `${prefix}{overrides}:defs`;
  const counterKey = (id: string): string => `${prefix}{overrides}:remaining:${id}`;
  if (!('sophiaClaimOverride' in redis)) redis.defineCommand('sophiaClaimOverride', { numberOfKeys: 2, lua: CLAIM });
  const claimCommand = redis as unknown as ClaimCommand;

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
      const remaining = new Map(counted.map((o, i) => [o.id, counts[i] === null || counts[i] === undefined ? 0 : Number(counts[i])]));
      const live: RoutingOverride[] = [];
      const dead: string[] = [];
      for (const o of decoded) {
        const left = remaining.get(o.id);
        if ((o.expiresAt !== undefined && o.expiresAt <= now) || (left !== undefined && left <= 0)) dead.push(o.id);
        else live.push(left === undefined ? o : { ...o, remaining: left });
      }
      if (dead.length > 0) await redis.hdel(defsKey, ...dead);
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
      const left = await claimCommand.sophiaClaimOverride(defsKey, counterKey(id), id);
      return left < 0 ? undefined : left;
    },
  };
}

// Breaker transitions in Redis (SOPHIA_REDIS_URL set): one capped list shared by the router replicas,
// newest first; each replica appends its own breakers' changes.
import type { Cluster, Redis } from 'ioredis';
import { parseBreakerState, type BreakerHistory, type BreakerHistoryRetention, type BreakerTransitionRecord } from './breaker-history.ts';

/** Options for createRedisBreakerHistory. */
export interface RedisBreakerHistoryOptions {
  readonly redis: Redis | Cluster;
  /** Key prefix shared with the router's other keys (SOPHIA_ROUTER_REDIS_PREFIX). */
  readonly keyPrefix: string;
  readonly retention: BreakerHistoryRetention;
  readonly onError: (err: Error) => void;
}

/** Decodes one list entry; undefined for anything damaged (skipped). */
function decode(raw: string): BreakerTransitionRecord | undefined {
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    const from = parseBreakerState(v['from']);
    const to = parseBreakerState(v['to']);
    if (typeof v['target'] !== 'string' || !from || !to || typeof v['atMs'] !== 'number') return undefined;
    return { target: v['target'], from, to, atMs: v['atMs'] };
  } catch {
    return undefined;
  }
}

/** The history in `<keyPrefix>breaker-transitions`, trimmed to the retention's entries on each write. */
export function createRedisBreakerHistory(options: RedisBreakerHistoryOptions): BreakerHistory {
  const key = `${options.keyPrefix}breaker-transitions`;
  const { maxAgeMs, maxEntries } = options.retention;
  return {
    record(t) {
      options.redis
        .multi()
        .lpush(key, JSON.stringify({ target: t.target, from: t.from, to: t.to, atMs: t.atMs }))
        .ltrim(key, 0, maxEntries - 1)
        .pexpire(key, maxAgeMs)
        .exec()
        .then((results) => {
          const failed = results?.find(([err]) => err)?.[0];
          if (failed) options.onError(failed);
        }, options.onError);
    },
    async recent(limit, nowMs) {
      const raw = await options.redis.lrange(key, 0, maxEntries - 1);
      const out: BreakerTransitionRecord[] = [];
      for (const entry of raw) {
        const t = decode(entry);
        if (t && t.atMs >= nowMs - maxAgeMs) out.push(t);
        if (out.length >= limit) break;
      }
      return out;
    },
  };
}

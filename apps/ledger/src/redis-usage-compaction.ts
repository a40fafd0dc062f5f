// Usage compaction in Redis (usage-compaction.ts), shared by every ledger replica. Summaries live in
// one hash (`compact`: "<15-digit bucket ms>|<group>" → "<15-digit bucket end ms>|<summary JSON>")
// indexed by a lexicographic sorted set of the same fields (`compact-index`), so a period's buckets
// are one ZRANGEBYLEX. One replica compacts at a time under a lease (`compact-lock`, SET NX PX): it
// reads the oldest raw events past the raw window, merges them into their buckets' summaries, and a
// Lua script — only while it still holds the lease — writes the summaries and deletes the events with
// their index members in one atomic step, so a report never sees an event both raw and compacted.
// Records never touch summaries, so the lease holder's read-merge-write cannot lose a concurrent write.
import type { Cluster, Redis } from 'ioredis';
import { compactionCutoff, summariseByBucket } from './usage-compaction.ts';
import { decodeStoredRecord } from './stored-usage-record.ts';
import { mergeSummaries, type UsageSummary } from './usage-summary.ts';
import { decodeSummary, encodeSummary } from './usage-summary-codec.ts';

const DAY_MS = 86_400_000;
const LEASE_MS = 60_000;

/** The keys compaction reads and writes (all under the store's prefix and {hash tag}). */
export interface RedisCompactionKeys {
  event(requestId: string): string;
  readonly byTime: string;
  byTenant(tenant: string): string;
  readonly compact: string;
  readonly compactIndex: string;
  readonly compactLock: string;
}

// KEYS: lock, compact, compact-index, by-time, then the event keys, then each event's by-tenant key.
// ARGV: token, lease ms, number of summaries, then field/value pairs, then each event's member.
const APPLY_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local n = tonumber(ARGV[3])
for i = 0, n - 1 do
  local field = ARGV[4 + 2 * i]
  redis.call('HSET', KEYS[2], field, ARGV[5 + 2 * i])
  redis.call('ZADD', KEYS[3], 0, field)
end
local events = (#KEYS - 4) / 2
local first = 4 + 2 * n
for i = 0, events - 1 do
  local member = ARGV[first + i]
  redis.call('DEL', KEYS[5 + i])
  redis.call('ZREM', KEYS[4], member)
  redis.call('ZREM', KEYS[5 + events + i], member)
end
return events
`;

const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

const APPLY = 'sophiaLedgerCompactApply';
const RELEASE = 'sophiaLedgerCompactRelease';

type ScriptedRedis = {
  [APPLY](numKeys: number, ...keysThenArgs: Array<string | number>): Promise<number>;
  [RELEASE](numKeys: number, ...keysThenArgs: string[]): Promise<number>;
};

const ms15 = (ms: number): string => String(Math.max(0, Math.floor(ms))).padStart(15, '0');

/** Compaction, compacted reads and retention for the Redis usage store. */
export interface RedisUsageCompaction {
  /** Like the SQLite store's: up to `maxEvents` events folded; 0 when nothing is left or another replica holds the lease. */
  compact(nowMs: number, rawMs: number, bucketMs: number, maxEvents?: number): Promise<number>;
  /** Deletes summaries whose bucket started before `nowMs - retentionMs`; returns 0 (events are compacted, not pruned). */
  prune(nowMs: number, retentionMs: number): Promise<number>;
  /** Visits the summaries of the buckets overlapping [startMs, endMs), optionally one tenant's. */
  eachSummary(startMs: number, endMs: number, tenant: string | undefined, visit: (summary: UsageSummary) => void): Promise<void>;
}

/** Compaction over `redis` with `keys`; registers its scripts on the client (idempotent). */
export function createRedisUsageCompaction(redis: Redis | Cluster, keys: RedisCompactionKeys): RedisUsageCompaction {
  if (!(APPLY in redis)) redis.defineCommand(APPLY, { lua: APPLY_SCRIPT });
  if (!(RELEASE in redis)) redis.defineCommand(RELEASE, { lua: RELEASE_SCRIPT });
  const scripted = redis as unknown as ScriptedRedis;
  let lease: string | undefined;

  const decodeStored = (field: string, value: string): { endMs: number; summary: UsageSummary } => {
    const bar = value.indexOf('|');
    const endMs = Number(value.slice(0, bar));
    if (bar !== 15 || !Number.isSafeInteger(endMs)) throw new Error(`corrupt usage summary at ${keys.compact} ${field}: bucket end`);
    return { endMs, summary: decodeSummary(`${keys.compact} ${field}`, value.slice(bar + 1)) };
  };

  return {
    async compact(nowMs, rawMs, bucketMs, maxEvents = 5000) {
      if (lease === undefined) {
        const token = `${process.pid}:${crypto.randomUUID()}`;
        if ((await redis.set(keys.compactLock, token, 'PX', LEASE_MS, 'NX')) !== 'OK') return 0;
        lease = token;
      }
      const token = lease;
      const done = async (n: number): Promise<number> => {
        if (n < maxEvents) {
          lease = undefined;
          await scripted[RELEASE](1, keys.compactLock, token);
        }
        return n;
      };
      const cutoff = compactionCutoff(nowMs, rawMs, bucketMs);
      const members = await redis.zrangebylex(keys.byTime, '-', `(${ms15(cutoff)}`, 'LIMIT', 0, maxEvents);
      if (members.length === 0) return done(0);
      const ids = members.map((m) => m.slice(m.indexOf('|') + 1));
      const values = await redis.mget(...ids.map((id) => keys.event(id)));
      const present = members.flatMap((member, i) => (values[i] == null ? [] : [{ member, id: ids[i]!, record: decodeStoredRecord(keys.event(ids[i]!), values[i]!) }]));
      const buckets = summariseByBucket(
        present.map((p) => p.record),
        bucketMs,
      );
      const fields = buckets.map((b) => `${ms15(b.bucketMs)}|${b.group}`);
      const stored = fields.length === 0 ? [] : await redis.hmget(keys.compact, ...fields);
      const pairs = buckets.flatMap((b, i) => {
        const before = stored[i] == null ? undefined : decodeStored(fields[i]!, stored[i]!);
        const endMs = Math.max(before?.endMs ?? 0, b.bucketMs + bucketMs);
        const summary = before === undefined ? b.summary : mergeSummaries(before.summary, b.summary);
        return [fields[i]!, `${ms15(endMs)}|${encodeSummary(summary)}`];
      });
      // Index members whose event vanished (deleted by hand) are dropped with the rest.
      const gone = members.filter((_, i) => values[i] == null).map((member) => ({ member, id: member.slice(member.indexOf('|') + 1), record: undefined }));
      const all = [...present, ...gone];
      const tenantKeys = all.map((e) => keys.byTenant(e.record?.tenant ?? ''));
      const applied = await scripted[APPLY](
        4 + 2 * all.length,
        keys.compactLock,
        keys.compact,
        keys.compactIndex,
        keys.byTime,
        ...all.map((e) => keys.event(e.id)),
        ...tenantKeys,
        token,
        LEASE_MS,
        buckets.length,
        ...pairs,
        ...all.map((e) => e.member),
      );
      if (applied < 0) {
        lease = undefined;
        return 0;
      }
      return done(members.length);
    },

    async prune(nowMs, retentionMs) {
      const old = await redis.zrangebylex(keys.compactIndex, '-', `(${ms15(nowMs - retentionMs)}`);
      if (old.length > 0) await redis.multi().hdel(keys.compact, ...old).zrem(keys.compactIndex, ...old).exec();
      return 0;
    },

    async eachSummary(startMs, endMs, tenant, visit) {
      if (endMs <= startMs) return;
      const fields = await redis.zrangebylex(keys.compactIndex, `[${ms15(startMs - DAY_MS + 1)}`, `(${ms15(endMs)}`);
      if (fields.length === 0) return;
      const values = await redis.hmget(keys.compact, ...fields);
      fields.forEach((field, i) => {
        const value = values[i];
        if (value == null) return;
        const { endMs: bucketEnd, summary } = decodeStored(field, value);
        if (bucketEnd > startMs && (tenant === undefined || summary.tenant === tenant)) visit(summary);
      });
    },
  };
}

// UsageStore (and BudgetStore) in Redis, shared by every ledger replica. Keys: redis-ledger-keys.ts.
//
// Events are JSON strings under event:<requestId>; by-time and by-tenant:<tenant> are sorted sets
// with all scores 0 and members "<15-digit epoch ms>|<requestId>". Equal scores make the sets
// lexicographically ordered, so a time range is a ZRANGEBYLEX range read in pages that continue
// after the last member seen (O(log n + page) each, no offsets). Whole UTC days are read from daily
// roll-ups instead (usage-rollup.ts). Record is one Lua script — SET NX, both ZADDs, the day's
// roll-up counters, the day and month spend of every applicable budget scope, releasing the budget
// reservation (adding its prompt-calibration sample), and XADD to the durable log (redis-ledger-log.ts) — so a crash can never leave an
// event counted in one place and not another, nor acknowledged and missing from the log.
import type { Cluster, Redis } from 'ioredis';
import { createBudgetCalendar, type BudgetCalendar } from './budget-calendar.ts';
import { applicableScopes, scopeId, type BudgetStore } from './budget-store.ts';
import { encodeAudit } from './ledger-log.ts';
import { CALIBRATION_GENERATION } from './prompt-calibration.ts';
import { createRedisBudgetStore } from './redis-budget-store.ts';
import { createReplicaAckBarrier, type ReplicaAcks } from './replica-ack-barrier.ts';
import { redisLedgerKeys, SPENT_TTL_SECONDS } from './redis-ledger-keys.ts';
import { decodeStoredRecord, encodeStoredRecord } from './stored-usage-record.ts';
import { usageFacts, type UsageAggregator } from './usage-aggregator.ts';
import { createRedisUsageCompaction, type RedisUsageCompaction } from './redis-usage-compaction.ts';
import { summaryOf } from './usage-summary.ts';
import { DAY_MS, decodeRollup, queryBySplit, rollupGroup } from './usage-rollup.ts';
import { MAX_EVENT_TIME_MS, type RecordOutcome, type UsageQuery, type UsageRecord, type UsageReport, type UsageStore } from './usage-store.ts';

/** Options for createRedisUsageStore. */
export interface RedisUsageStoreOptions {
  /** A connected ioredis client (or Cluster); the caller owns it and closes it. */
  readonly redis: Redis | Cluster;
  /**
   * Prefix of every key; keep one `{hash tag}` in it for Redis Cluster.
   * @default "{sophia:ledger}:"
   */
  readonly keyPrefix?: string;
  /**
   * Events fetched per round trip when scanning.
   * @default 1000
   */
  readonly pageSize?: number;
  /** Budget periods. @default UTC */
  readonly calendar?: BudgetCalendar;
  /**
   * Records wait for this many replicas (WAIT) on their own connection `redis` (WAIT blocks it);
   * unconfirmed ones throw ReplicaAckTimeout, which the spooling store keeps and replays. Unset: no wait.
   */
  readonly replicaAcks?: ReplicaAcks & { readonly redis: Redis | Cluster };
}

// KEYS: event, by-time, by-tenant, reservations, rollup:<day>, rollup-days, log, calibration:<model>,
// then per budget scope spent:day and spent:month. ARGV: json, member, cost, reservation id, day TTL s,
// month TTL s, roll-up group, prompt, completion, day number, request id, calibration generation size,
// cached prompt tokens.
const RECORD_SCRIPT = `
local held = redis.call('HGET', KEYS[4], ARGV[4])
redis.call('HDEL', KEYS[4], ARGV[4])
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('ZADD', KEYS[2], 0, ARGV[2])
  redis.call('ZADD', KEYS[3], 0, ARGV[2])
  redis.call('HINCRBY', KEYS[5], ARGV[7] .. '|n', 1)
  redis.call('HINCRBY', KEYS[5], ARGV[7] .. '|p', ARGV[8])
  redis.call('HINCRBY', KEYS[5], ARGV[7] .. '|c', ARGV[9])
  redis.call('HINCRBY', KEYS[5], ARGV[7] .. '|$', ARGV[3])
  if tonumber(ARGV[13]) > 0 then redis.call('HINCRBY', KEYS[5], ARGV[7] .. '|k', ARGV[13]) end
  redis.call('ZADD', KEYS[6], ARGV[10], ARGV[10])
  for i = 9, #KEYS, 2 do
    redis.call('INCRBY', KEYS[i], ARGV[3])
    redis.call('EXPIRE', KEYS[i], ARGV[5])
    redis.call('INCRBY', KEYS[i + 1], ARGV[3])
    redis.call('EXPIRE', KEYS[i + 1], ARGV[6])
  end
  redis.call('XADD', KEYS[7], '*', 'kind', 'usage', 'id', ARGV[11], 'json', ARGV[1])
  local s1 = held and string.find(held, ':', 1, true)
  local s2 = s1 and string.find(held, ':', s1 + 1, true)
  local estimate = s2 and tonumber(cjson.decode(string.sub(held, s2 + 1))[3] or 0) or 0
  if estimate > 0 then
    local billed = tonumber(ARGV[8])
    local ratio = math.ceil(billed * 1000 / estimate)
    local excess = billed - estimate
    local c = redis.call('HMGET', KEYS[8], 'n', 'r', 'x')
    local n = tonumber(c[1] or '0')
    if n >= tonumber(ARGV[12]) then
      redis.call('HSET', KEYS[8], 'pr', c[2], 'px', c[3], 'n', 1, 'r', ratio, 'x', excess)
    elseif n == 0 then
      redis.call('HSET', KEYS[8], 'n', 1, 'r', ratio, 'x', excess)
    else
      redis.call('HSET', KEYS[8], 'n', n + 1, 'r', math.max(tonumber(c[2]), ratio), 'x', math.max(tonumber(c[3]), excess))
    end
  end
  return {1, ARGV[1], held and 1 or 0}
end
return {0, redis.call('GET', KEYS[1]), held and 1 or 0}
`;

const COMMAND = 'sophiaLedgerRecordCalibrated';

type ScriptedRedis = {
  [COMMAND](numKeys: number, ...keysThenArgs: Array<string | number>): Promise<[number, string | null, number]>;
};

function member(record: UsageRecord): string {
  return `${String(record.timeMs).padStart(15, '0')}|${record.requestId}`;
}

function timeBound(timeMs: number): string {
  return String(Math.max(0, Math.ceil(timeMs))).padStart(15, '0');
}

/** The Redis store: usage and budgets shared by replicas, with compaction and retention of old usage. */
export type RedisUsageStore = UsageStore & BudgetStore & Pick<RedisUsageCompaction, 'compact' | 'prune'>;

/** Creates a Redis-backed store; registers its Lua scripts on the client (idempotent). */
export function createRedisUsageStore(options: RedisUsageStoreOptions): RedisUsageStore {
  const { redis } = options;
  const prefix = options.keyPrefix ?? '{sophia:ledger}:';
  const pageSize = options.pageSize ?? 1000;
  const calendar = options.calendar ?? createBudgetCalendar('UTC');
  const recordRedis = options.replicaAcks?.redis ?? redis;
  if (!(COMMAND in recordRedis)) recordRedis.defineCommand(COMMAND, { lua: RECORD_SCRIPT });
  const scripted = recordRedis as unknown as ScriptedRedis;
  const replicated = options.replicaAcks ? createReplicaAckBarrier(recordRedis, options.replicaAcks) : async (): Promise<void> => undefined;
  const keys = redisLedgerKeys(prefix);
  const compaction = createRedisUsageCompaction(redis, keys);

  /** Adds every event in [startMs, endMs) (optionally one tenant's) to the aggregator. */
  const scanEvents = async (aggregator: Pick<UsageAggregator, 'add'>, startMs: number, endMs: number, tenant: string | undefined): Promise<void> => {
    if (endMs <= startMs || startMs > MAX_EVENT_TIME_MS) return;
    const index = tenant === undefined ? keys.byTime : keys.byTenant(tenant);
    let min = `[${timeBound(startMs)}`;
    const max = endMs > MAX_EVENT_TIME_MS ? '+' : `(${timeBound(endMs)}`;
    for (;;) {
      const members = await redis.zrangebylex(index, min, max, 'LIMIT', 0, pageSize);
      if (members.length === 0) return;
      const eventKeys = members.map((m) => keys.event(m.slice(m.indexOf('|') + 1)));
      const values = await redis.mget(...eventKeys);
      values.forEach((json, i) => {
        // Members and events are written together and never deleted separately; a missing event
        // can only come from an operator deleting keys by hand, and is skipped rather than guessed.
        if (json !== null) aggregator.add(decodeStoredRecord(eventKeys[i] ?? '', json));
      });
      if (members.length < pageSize) return;
      min = `(${members[members.length - 1] ?? ''}`;
    }
  };

  /** Adds the roll-ups of the whole days [firstDay, endDay) that have data. */
  const readRollups = async (aggregator: UsageAggregator, firstDay: number, endDay: number, tenant: string | undefined): Promise<void> => {
    const days = (await redis.zrangebyscore(keys.rollupDays, firstDay, `(${endDay}`)).map(Number);
    if (days.length === 0) return;
    const pipeline = redis.pipeline();
    for (const day of days) pipeline.hgetall(keys.rollup(day));
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([error, hash], i) => {
      if (error) throw error;
      const day = days[i] ?? 0;
      for (const group of decodeRollup(keys.rollup(day), day, hash as Record<string, string>)) {
        if (tenant === undefined || group.facts.tenant === tenant) aggregator.addGroup(group.facts, group.totals);
      }
    });
  };

  return {
    ...createRedisBudgetStore(redis, keys, calendar),

    async record(record: UsageRecord, recordOptions = {}): Promise<RecordOutcome> {
      if (!Number.isSafeInteger(record.timeMs) || record.timeMs < 0 || record.timeMs > MAX_EVENT_TIME_MS) {
        throw new RangeError(`timeMs ${record.timeMs} is outside [0, ${MAX_EVENT_TIME_MS}]`);
      }
      const key = keys.event(record.requestId);
      const json = encodeStoredRecord(record);
      const day = Math.floor(record.timeMs / DAY_MS);
      const spentKeys = applicableScopes(record.tenant, record.model, record.apiKey ?? '').flatMap((scope) => [
        keys.spent(scopeId(scope), 'day', calendar.period('day', record.timeMs)),
        keys.spent(scopeId(scope), 'month', calendar.period('month', record.timeMs)),
      ]);
      const [created, stored, held] = await scripted[COMMAND](
        8 + spentKeys.length,
        key,
        keys.byTime,
        keys.byTenant(record.tenant),
        keys.reservations(record.tenant),
        keys.rollup(day),
        keys.rollupDays,
        keys.log,
        keys.calibration(record.model),
        ...spentKeys,
        json,
        member(record),
        record.costMicroUsd,
        recordOptions.reservationId ?? record.requestId,
        SPENT_TTL_SECONDS.day,
        SPENT_TTL_SECONDS.month,
        rollupGroup(record),
        record.promptTokens,
        record.completionTokens,
        day,
        record.requestId,
        CALIBRATION_GENERATION,
        record.cachedPromptTokens ?? 0,
      );
      if (stored === null) throw new Error(`usage event at ${key} vanished during record`);
      // Also when the event was already there (a replay): its first write may never have reached a replica.
      if (!recordOptions.deferReplicaAck) await replicated();
      return { recorded: created === 1, record: created === 1 ? record : decodeStoredRecord(key, stored), reservationHeld: held === 1 };
    },

    query(query: UsageQuery): Promise<UsageReport> {
      return queryBySplit(query, {
        scan: async (aggregator, start, end, tenant) => {
          await scanEvents(aggregator, start, end, tenant);
          await compaction.eachSummary(start, end, tenant, (s) => aggregator.addGroup(usageFacts(s), s));
        },
        rollups: readRollups,
      });
    },

    async scan(startMs, endMs, tenant, visit) {
      await scanEvents({ add: (record) => visit(summaryOf(record)) }, startMs, endMs, tenant);
      await compaction.eachSummary(startMs, endMs, tenant, visit);
    },

    compact: compaction.compact,
    prune: compaction.prune,
    ...(options.replicaAcks ? { confirmReplicated: replicated } : {}),

    async appendAudit(entry) {
      await redis.xadd(keys.log, '*', 'kind', 'audit', 'id', entry.auditId, 'json', encodeAudit(entry));
    },
  };
}

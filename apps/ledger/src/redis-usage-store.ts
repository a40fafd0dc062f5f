// UsageStore (and BudgetStore) in Redis, shared by every ledger replica. Keys: redis-ledger-keys.ts.
//
// Events are JSON strings under event:<requestId>; by-time and by-tenant:<tenant> are sorted sets
// with all scores 0 and members "<15-digit epoch ms>|<requestId>". Equal scores make the sets
// lexicographically ordered, so a period [start, end) is a ZRANGEBYLEX range and pages continue
// after the last member seen (O(log n + page) each, no offsets). Record is one Lua script — SET NX,
// both ZADDs, the tenant's day and month spend counters, and releasing the request's budget
// reservation — so a crash can never leave an event counted but unindexed or unbilled.
import type { Cluster, Redis } from 'ioredis';
import { budgetPeriod, type BudgetStore } from './budget-store.ts';
import { createRedisBudgetStore } from './redis-budget-store.ts';
import { redisLedgerKeys, SPENT_TTL_SECONDS } from './redis-ledger-keys.ts';
import { decodeStoredRecord, encodeStoredRecord } from './stored-usage-record.ts';
import { createUsageAggregator } from './usage-aggregator.ts';
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
   * Events fetched per round trip when querying.
   * @default 1000
   */
  readonly pageSize?: number;
}

// KEYS: event, by-time, by-tenant, spent:day, spent:month, reservations.
// ARGV: json, member, cost, requestId, day TTL s, month TTL s.
const RECORD_SCRIPT = `
redis.call('HDEL', KEYS[6], ARGV[4])
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('ZADD', KEYS[2], 0, ARGV[2])
  redis.call('ZADD', KEYS[3], 0, ARGV[2])
  redis.call('INCRBY', KEYS[4], ARGV[3])
  redis.call('EXPIRE', KEYS[4], ARGV[5])
  redis.call('INCRBY', KEYS[5], ARGV[3])
  redis.call('EXPIRE', KEYS[5], ARGV[6])
  return {1, ARGV[1]}
end
return {0, redis.call('GET', KEYS[1])}
`;

const COMMAND = 'sophiaLedgerRecord';

type ScriptedRedis = {
  [COMMAND](
    eventKey: string,
    byTime: string,
    byTenant: string,
    spentDay: string,
    spentMonth: string,
    reservations: string,
    json: string,
    member: string,
    cost: number,
    requestId: string,
    dayTtlSeconds: number,
    monthTtlSeconds: number,
  ): Promise<[number, string | null]>;
};


function member(record: UsageRecord): string {
  return `${String(record.timeMs).padStart(15, '0')}|${record.requestId}`;
}

function timeBound(timeMs: number): string {
  return String(Math.max(0, Math.ceil(timeMs))).padStart(15, '0');
}

/** Creates a Redis-backed store; registers its Lua scripts on the client (idempotent). */
export function createRedisUsageStore(options: RedisUsageStoreOptions): UsageStore & BudgetStore {
  const { redis } = options;
  const prefix = options.keyPrefix ?? '{sophia:ledger}:';
  const pageSize = options.pageSize ?? 1000;
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 6, lua: RECORD_SCRIPT });
  const scripted = redis as unknown as ScriptedRedis;
  const keys = redisLedgerKeys(prefix);
  const eventKey = keys.event;
  const byTimeKey = keys.byTime;
  const byTenantKey = keys.byTenant;


  return {
    ...createRedisBudgetStore(redis, keys),
    async record(record: UsageRecord): Promise<RecordOutcome> {
      if (!Number.isSafeInteger(record.timeMs) || record.timeMs < 0 || record.timeMs > MAX_EVENT_TIME_MS) {
        throw new RangeError(`timeMs ${record.timeMs} is outside [0, ${MAX_EVENT_TIME_MS}]`);
      }
      const key = eventKey(record.requestId);
      const json = encodeStoredRecord(record);
      const [created, stored] = await scripted[COMMAND](
        key,
        byTimeKey,
        byTenantKey(record.tenant),
        keys.spent(record.tenant, 'day', budgetPeriod('day', record.timeMs)),
        keys.spent(record.tenant, 'month', budgetPeriod('month', record.timeMs)),
        keys.reservations(record.tenant),
        json,
        member(record),
        record.costMicroUsd,
        record.requestId,
        SPENT_TTL_SECONDS.day,
        SPENT_TTL_SECONDS.month,
      );
      if (stored === null) throw new Error(`usage event at ${key} vanished during record`);
      return { recorded: created === 1, record: created === 1 ? record : decodeStoredRecord(key, stored) };
    },

    async query(query: UsageQuery): Promise<UsageReport> {
      const aggregator = createUsageAggregator(query.groupBy);
      if (query.endMs <= query.startMs || query.startMs > MAX_EVENT_TIME_MS) return aggregator.report();
      const index = query.tenant === undefined ? byTimeKey : byTenantKey(query.tenant);
      let min = `[${timeBound(query.startMs)}`;
      const max = query.endMs > MAX_EVENT_TIME_MS ? '+' : `(${timeBound(query.endMs)}`;
      for (;;) {
        const members = await redis.zrangebylex(index, min, max, 'LIMIT', 0, pageSize);
        if (members.length === 0) break;
        const eventKeys = members.map((m) => eventKey(m.slice(m.indexOf('|') + 1)));
        const values = await redis.mget(...eventKeys);
        values.forEach((json, i) => {
          // Members and events are written together and never deleted separately; a missing event
          // can only come from an operator deleting keys by hand, and is skipped rather than guessed.
          if (json !== null) aggregator.add(decodeStoredRecord(eventKeys[i] ?? '', json));
        });
        if (members.length < pageSize) break;
        min = `(${members[members.length - 1] ?? ''}`;
      }
      return aggregator.report();
    },
  };
}

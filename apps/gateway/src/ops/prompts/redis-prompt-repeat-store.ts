import type { Cluster, Redis } from 'ioredis';
import { countRepeats, dayOf, daysOf, PROMPT_RETENTION_DAYS, PROMPTS_PER_DAY, type DayPrompt, type DayTotal, type PromptRepeatStore, type PromptRepeatStoreOptions } from './prompt-repeat-store.ts';

/** Options of the Redis store; `prefix` keeps tests and deployments apart. */
export interface RedisPromptRepeatStoreOptions extends PromptRepeatStoreOptions {
  readonly redis: Redis | Cluster;
  /** @default "{sophia:ops:prompts}" (one hash slot, so a batch's keys go to one script on a cluster too) */
  readonly prefix?: string;
}

const DAY_MS = 86_400_000;

// KEYS[1] = the index (sorted set: score = day, member = [day, tenant, workload] as JSON); then per
// request its day hash (n:/c:/f:<fingerprint> = requests, cost, first cost) and its total hash
// (requests, tracked). ARGV[1] = distinct prompts per day; then per request fingerprint, cost, day,
// index member, expiry (ms since the epoch). One script per batch, so replicas never split an update.
const RECORD = `
local cap = tonumber(ARGV[1])
local n = (#KEYS - 1) / 2
for i = 1, n do
  local day, total = KEYS[2 * i], KEYS[2 * i + 1]
  local a = 1 + (i - 1) * 5
  local fp, cost = ARGV[a + 1], ARGV[a + 2]
  redis.call('HINCRBY', total, 'requests', 1)
  if redis.call('HEXISTS', day, 'n:' .. fp) == 1 then
    redis.call('HINCRBY', day, 'n:' .. fp, 1)
    redis.call('HINCRBY', day, 'c:' .. fp, cost)
  elseif tonumber(redis.call('HGET', total, 'tracked') or '0') < cap then
    redis.call('HSET', day, 'n:' .. fp, 1, 'c:' .. fp, cost, 'f:' .. fp, cost)
    redis.call('HINCRBY', total, 'tracked', 1)
  end
  redis.call('ZADD', KEYS[1], ARGV[a + 3], ARGV[a + 4])
  redis.call('PEXPIREAT', day, ARGV[a + 5])
  redis.call('PEXPIREAT', total, ARGV[a + 5])
end
`;

interface RecordCommand {
  sophiaRecordPrompts(numberOfKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

/**
 * A PromptRepeatStore on Redis, shared by gateway replicas: per tenant × workload × UTC day one hash
 * of its distinct prompts and one of its totals, an index of those days; days past the retention are
 * deleted when a newer day is written (and expire on their own).
 */
export function createRedisPromptRepeatStore(options: RedisPromptRepeatStoreOptions): PromptRepeatStore {
  const { redis } = options;
  const cap = options.promptsPerDay ?? PROMPTS_PER_DAY;
  const prefix = options.prefix ?? '{sophia:ops:prompts}';
  const index = `${prefix}:days`;
  const dayKey = (member: string): string => `${prefix}:day:${member}`;
  const totalKey = (member: string): string => `${prefix}:total:${member}`;
  if (!('sophiaRecordPrompts' in redis)) redis.defineCommand('sophiaRecordPrompts', { lua: RECORD });
  const command = redis as unknown as RecordCommand;
  let prunedBefore = -Infinity;
  const prune = async (oldest: number): Promise<void> => {
    const members = await redis.zrangebyscore(index, '-inf', `(${oldest}`);
    if (members.length > 0) await redis.del(...members.flatMap((m) => [dayKey(m), totalKey(m)]));
    await redis.zremrangebyscore(index, '-inf', `(${oldest}`);
    prunedBefore = oldest;
  };
  return {
    async record(seen) {
      const oldest = dayOf(Math.max(...seen.map((s) => s.atMs))) - (PROMPT_RETENTION_DAYS - 1);
      const kept = seen.filter((s) => dayOf(s.atMs) >= oldest);
      if (kept.length === 0) return;
      if (oldest > prunedBefore) await prune(oldest);
      const keys = [index];
      const args: Array<string | number> = [cap];
      for (const s of kept) {
        const day = dayOf(s.atMs);
        const member = JSON.stringify([day, s.tenant, s.workload]);
        keys.push(dayKey(member), totalKey(member));
        args.push(s.fingerprint, s.costMicroUsd.toString(), day, member, (day + PROMPT_RETENTION_DAYS) * DAY_MS);
      }
      await command.sophiaRecordPrompts(keys.length, ...keys, ...args);
    },
    async repeats(q) {
      const { first, last } = daysOf(q);
      const days = (await redis.zrangebyscore(index, first, last))
        .map((member) => ({ member, at: JSON.parse(member) as [number, string, string] }))
        .filter(({ at: [, tenant, workload] }) => (q.tenant === undefined || tenant === q.tenant) && (q.workload === undefined || workload === q.workload));
      const prompts: DayPrompt[] = [];
      const totals: DayTotal[] = [];
      for (const { member, at: [day, tenant, workload] } of days) {
        const [entries, requests] = await Promise.all([redis.hgetall(dayKey(member)), redis.hget(totalKey(member), 'requests')]);
        if (requests === null) continue;
        totals.push({ workload, requests: Number(requests) });
        for (const [field, n] of Object.entries(entries)) {
          if (!field.startsWith('n:')) continue;
          const fingerprint = field.slice(2);
          prompts.push({ tenant, workload, day, fingerprint, requests: Number(n), costMicroUsd: BigInt(entries[`c:${fingerprint}`] ?? '0'), firstCostMicroUsd: BigInt(entries[`f:${fingerprint}`] ?? '0') });
        }
      }
      return countRepeats(prompts, totals);
    },
  };
}

import type { Cluster, Redis } from 'ioredis';
import { countRepeats, PROMPT_RETENTION_MS, type PromptRepeatStore } from './prompt-repeat-store.ts';

/** Options of the Redis store; `prefix` keeps tests and deployments apart. */
export interface RedisPromptRepeatStoreOptions {
  readonly redis: Redis | Cluster;
  /** @default "{sophia:ops:prompts}" (one hash slot, so a write's keys share one MULTI on a cluster too) */
  readonly prefix?: string;
}

/**
 * A PromptRepeatStore on Redis, shared by gateway replicas: one sorted set per tenant and workload
 * (score = time, member = time:fingerprint:cost:unique), a set of each tenant's workloads and a set
 * of tenants; old members are trimmed on write.
 */
export function createRedisPromptRepeatStore(options: RedisPromptRepeatStoreOptions): PromptRepeatStore {
  const { redis } = options;
  const prefix = options.prefix ?? '{sophia:ops:prompts}';
  const setKey = (tenant: string, workload: string): string => `${prefix}:seen:${tenant}:${workload}`;
  let unique = 0;
  return {
    async record(seen) {
      if (seen.length === 0) return;
      const m = redis.multi();
      for (const s of seen) {
        const key = setKey(s.tenant, s.workload);
        m.zadd(key, s.atMs, `${s.atMs}:${s.fingerprint}:${s.costMicroUsd}:${process.pid}.${unique++}`);
        m.zremrangebyscore(key, '-inf', s.atMs - PROMPT_RETENTION_MS);
        m.sadd(`${prefix}:workloads:${s.tenant}`, s.workload);
        m.sadd(`${prefix}:tenants`, s.tenant);
      }
      await m.exec();
    },
    async repeats(q) {
      const tenants = q.tenant !== undefined ? [q.tenant] : await redis.smembers(`${prefix}:tenants`);
      const rows = [];
      for (const tenant of tenants) {
        const workloads = q.workload !== undefined ? [q.workload] : await redis.smembers(`${prefix}:workloads:${tenant}`);
        for (const workload of workloads) {
          for (const member of await redis.zrangebyscore(setKey(tenant, workload), q.sinceMs, `(${q.untilMs}`)) {
            const [at, fingerprint, cost] = member.split(':');
            // Keyed by tenant too: two tenants sending the same prompt are not a repeat of each other.
            rows.push({ workload, fingerprint: `${tenant}/${fingerprint}`, costMicroUsd: BigInt(cost!), atMs: Number(at) });
          }
        }
      }
      return countRepeats(rows);
    },
  };
}

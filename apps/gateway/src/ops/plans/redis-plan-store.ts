import type { Cluster, Redis } from 'ioredis';
import { PLAN_RETENTION_MS, type PlanClaim, type PlanRecord, type PlanStore } from './plan-store.ts';

/** Options for {@link createRedisPlanStore}. */
export interface RedisPlanStoreOptions {
  readonly redis: Redis | Cluster;
  /** @default "sophia:ops:plan:" */
  readonly keyPrefix?: string;
}

// Atomic claim: read the plan JSON, decide, and on success write it back as "applying" — one
// script, so two gateway replicas confirming the same plan cannot both win.
const CLAIM = `
local json = redis.call('GET', KEYS[1])
if not json then return {'unknown', ''} end
local plan = cjson.decode(json)
if plan.status == 'applied' then return {'applied', json} end
if plan.status == 'applying' then return {'in_progress', json} end
if tonumber(plan.expiresAtMs) <= tonumber(ARGV[1]) then return {'expired', json} end
plan.status = 'applying'
local out = cjson.encode(plan)
redis.call('SET', KEYS[1], out, 'KEEPTTL')
return {'claimed', out}
`;

/** A PlanStore in Redis (one JSON string per plan, expiring PLAN_RETENTION_MS after the plan does). */
export function createRedisPlanStore(options: RedisPlanStoreOptions): PlanStore {
  const { redis } = options;
  const prefix = options.keyPrefix ?? 'sophia:ops:plan:';
  const key = (id: string): string => `${prefix}{${id}}`;
  const read = async (id: string): Promise<PlanRecord | undefined> => {
    const json = await redis.get(key(id));
    return json === null ? undefined : (JSON.parse(json) as PlanRecord);
  };
  const keepMs = (untilMs: number): number => Math.max(1000, untilMs + PLAN_RETENTION_MS - Date.now());
  return {
    async create(plan) {
      await redis.set(key(plan.id), JSON.stringify(plan), 'PX', keepMs(plan.expiresAtMs), 'NX');
    },
    get: read,
    async claim(id, nowMs) {
      const [kind, json] = (await redis.eval(CLAIM, 1, key(id), String(nowMs))) as [PlanClaim['kind'], string];
      if (kind === 'unknown') return { kind };
      return { kind, plan: JSON.parse(json) as PlanRecord };
    },
    async finish(id, applied) {
      const plan = await read(id);
      if (plan) await redis.set(key(id), JSON.stringify({ ...plan, status: 'applied', ...applied }), 'PX', keepMs(applied.appliedAtMs));
    },
    async release(id) {
      const plan = await read(id);
      if (plan?.status === 'applying') await redis.set(key(id), JSON.stringify({ ...plan, status: 'pending' }), 'KEEPTTL');
    },
  };
}

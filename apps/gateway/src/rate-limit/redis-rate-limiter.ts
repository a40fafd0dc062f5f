import type { Cluster, Redis } from 'ioredis';
import { CONCURRENCY_RETRY_MS, scopesOf, viewOf, type Admission, type RateLimiter, type RefusalReason, type Scope, type ScopeLevels } from './rate-limiter.ts';
import { WINDOW_MS } from './token-bucket.ts';

// ONE script checks every scope and dimension and charges them all, or none: two gateway replicas
// (or twenty) share the buckets and can never together pass a limit. Same arithmetic as
// token-bucket.ts / sqlite-rate-limiter.ts (the contract suite runs on both).
// KEYS per scope i (0-based): 3i+1 requests bucket, 3i+2 tokens bucket, 3i+3 in-flight zset.
// ARGV: now, tokens, leaseId, leaseExpiresAt, window, leaseMs, then per scope: rpm, tpm, concurrency (0 = none).
// Key lifetimes are relative (PEXPIRE): `now` is the replicas' clock, which need not match Redis's.
const ADMIT = `
local now = tonumber(ARGV[1]); local tokens = tonumber(ARGV[2]); local lease = ARGV[3]; local leaseExp = tonumber(ARGV[4]); local win = tonumber(ARGV[5]); local leaseMs = tonumber(ARGV[6])
local n = #KEYS / 3
local function level(key, cap)
  local v = redis.call('HMGET', key, 'l', 't')
  if not v[1] then return cap end
  return math.min(cap, tonumber(v[1]) + math.max(0, now - tonumber(v[2])) * cap / win)
end
local function wait(lv, want, cap) if want <= lv then return 0 end return math.ceil((want - lv) * win / cap) end
local levels = {}
local reason = ''; local who = -1; local retry = -1
for i = 0, n - 1 do
  local rpm = tonumber(ARGV[7 + i * 3]); local tpm = tonumber(ARGV[8 + i * 3]); local conc = tonumber(ARGV[9 + i * 3])
  local r = 0; local t = 0
  if rpm > 0 then r = level(KEYS[1 + i * 3], rpm) end
  if tpm > 0 then t = level(KEYS[2 + i * 3], tpm) end
  levels[i] = {r, t}
  if reason == '' then
    if rpm > 0 and r < 1 then reason = 'requests'; who = i; retry = wait(r, 1, rpm)
    elseif tpm > 0 and tokens > tpm then reason = 'too_large'; who = i
    elseif tpm > 0 and t < tokens then reason = 'tokens'; who = i; retry = wait(t, tokens, tpm)
    elseif conc > 0 then
      redis.call('ZREMRANGEBYSCORE', KEYS[3 + i * 3], '-inf', now)
      if redis.call('ZCARD', KEYS[3 + i * 3]) >= conc then reason = 'concurrency'; who = i end
    end
  end
end
local out = {reason, who, retry}
for i = 0, n - 1 do
  local rpm = tonumber(ARGV[7 + i * 3]); local tpm = tonumber(ARGV[8 + i * 3]); local conc = tonumber(ARGV[9 + i * 3])
  local r = levels[i][1]; local t = levels[i][2]
  if reason == '' then
    if rpm > 0 then r = r - 1; redis.call('HSET', KEYS[1 + i * 3], 'l', tostring(r), 't', now); redis.call('PEXPIRE', KEYS[1 + i * 3], win) end
    if tpm > 0 then t = t - tokens; redis.call('HSET', KEYS[2 + i * 3], 'l', tostring(t), 't', now); redis.call('PEXPIRE', KEYS[2 + i * 3], win * 2) end
    if conc > 0 then redis.call('ZADD', KEYS[3 + i * 3], leaseExp, lease); if redis.call('PTTL', KEYS[3 + i * 3]) < leaseMs then redis.call('PEXPIRE', KEYS[3 + i * 3], leaseMs) end end
  end
  out[#out + 1] = tostring(r); out[#out + 1] = tostring(t)
end
return out
`;

// KEYS per scope: 2i+1 tokens bucket, 2i+2 in-flight zset. ARGV: now, delta, leaseId, window, then per scope: tpm.
const SETTLE = `
local now = tonumber(ARGV[1]); local delta = tonumber(ARGV[2]); local lease = ARGV[3]; local win = tonumber(ARGV[4])
for i = 0, #KEYS / 2 - 1 do
  redis.call('ZREM', KEYS[2 + i * 2], lease)
  local tpm = tonumber(ARGV[5 + i])
  if tpm > 0 and delta ~= 0 then
    local v = redis.call('HMGET', KEYS[1 + i * 2], 'l', 't')
    local lv = tpm
    if v[1] then lv = math.min(tpm, tonumber(v[1]) + math.max(0, now - tonumber(v[2])) * tpm / win) end
    lv = math.max(-tpm, lv - delta)
    redis.call('HSET', KEYS[1 + i * 2], 'l', tostring(lv), 't', now); redis.call('PEXPIRE', KEYS[1 + i * 2], win * 2)
  end
end
return 1
`;

interface LimitCommands {
  sophiaRateAdmit(...args: Array<string | number>): Promise<string[]>;
  sophiaRateSettle(...args: Array<string | number>): Promise<number>;
}

/** Options for {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  readonly redis: Redis | Cluster;
  /** @default "sophia:ratelimit:" */
  readonly keyPrefix?: string;
}

/**
 * The limiter shared by every gateway replica: buckets and in-flight slots in Redis, keyed with the
 * tenant as hash tag so one tenant's keys sit in one Cluster slot (a multi-key script needs that).
 * In-flight slots are a sorted set of leases with expiry, so a replica that dies holding slots
 * frees them when its requests' deadline passes instead of leaking them forever.
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const redis = options.redis;
  if (!('sophiaRateAdmit' in redis)) redis.defineCommand('sophiaRateAdmit', { lua: ADMIT });
  if (!('sophiaRateSettle' in redis)) redis.defineCommand('sophiaRateSettle', { lua: SETTLE });
  const commands = redis as unknown as LimitCommands;
  const prefix = options.keyPrefix ?? 'sophia:ratelimit:';
  const keyOf = (tenant: string, scope: Scope, kind: 'r' | 't' | 'c'): string => `${prefix}{${tenant}}:${scope.id}:${kind}`;
  return {
    async admit(req): Promise<Admission> {
      const scopes = scopesOf(req);
      const keys = scopes.flatMap((s) => [keyOf(req.tenant, s, 'r'), keyOf(req.tenant, s, 't'), keyOf(req.tenant, s, 'c')]);
      const limits = scopes.flatMap((s) => [s.limits.requestsPerMinute ?? 0, s.limits.tokensPerMinute ?? 0, s.limits.concurrentRequests ?? 0]);
      const out = await commands.sophiaRateAdmit(keys.length, ...keys, req.nowMs, req.tokens, req.leaseId, req.nowMs + req.leaseMs, WINDOW_MS, req.leaseMs, ...limits);
      const [reason, who, retry] = [String(out[0]), Number(out[1]), Number(out[2])];
      const levels = scopes.map((s, i): ScopeLevels => ({ requests: Number(out[3 + i * 2]), tokens: Number(out[4 + i * 2]) }));
      const view = viewOf(scopes, levels);
      if (reason === '') return { admitted: true, view };
      return {
        admitted: false,
        reason: reason as RefusalReason,
        scope: scopes[who]?.name ?? 'tenant',
        retryAfterMs: reason === 'concurrency' ? CONCURRENCY_RETRY_MS : retry >= 0 ? retry : undefined,
        view,
      };
    },
    async settle(req): Promise<void> {
      const scopes = scopesOf(req);
      const keys = scopes.flatMap((s) => [keyOf(req.tenant, s, 't'), keyOf(req.tenant, s, 'c')]);
      await commands.sophiaRateSettle(keys.length, ...keys, req.nowMs, req.tokenDelta, req.leaseId, WINDOW_MS, ...scopes.map((s) => s.limits.tokensPerMinute ?? 0));
    },
  };
}

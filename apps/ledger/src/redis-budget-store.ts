// BudgetStore in Redis. Reserve is one Lua script: sweep the tenant's expired reservations (reclaiming
// what crashed callers held), sum the live ones per scope, read spend and limits of every applicable
// scope, and hold the amount only if every limited window still fits — atomic, so replicas reserving
// concurrently cannot jointly overrun a limit. Spend itself is added by the usage store's record
// script (same counters), which also releases the reservation.
import type { Cluster, Redis } from 'ioredis';
import type { BudgetCalendar } from './budget-calendar.ts';
import {
  applicableScopes,
  checkLimit,
  checkReserveRequest,
  scopeId,
  scopeStates,
  tenantScope,
  type BudgetScope,
  type BudgetState,
  type BudgetStore,
  type BudgetWindow,
  type ReserveOutcome,
} from './budget-store.ts';
import { CALIBRATION_GENERATION, NO_CALIBRATION, type PromptCalibration } from './prompt-calibration.ts';
import type { RedisLedgerKeys } from './redis-ledger-keys.ts';

// KEYS: reservations, then per scope: limits, spent:day, spent:month.
// ARGV: id, amount, nowMs, ttlMs, meta JSON [apiKey, model, promptEstimate], apiKey, model, then per scope t|m|k.
// Returns {granted, exceeded scope (1-based, 0 = none), exceeded window, then per scope:
// spentDay, spentMonth, limitDay, limitMonth, reserved}.
const RESERVE_SCRIPT = `
local now = tonumber(ARGV[3])
local total, byKey, byModel = 0, 0, 0
local held = false
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local v = all[i + 1]
  local s1 = string.find(v, ':', 1, true)
  local s2 = string.find(v, ':', s1 + 1, true)
  local amount = tonumber(string.sub(v, 1, s1 - 1))
  local expires = tonumber(string.sub(v, s1 + 1, (s2 or 0) - 1))
  if expires <= now then
    redis.call('HDEL', KEYS[1], all[i])
  else
    total = total + amount
    if s2 then
      local meta = cjson.decode(string.sub(v, s2 + 1))
      if ARGV[6] ~= '' and meta[1] == ARGV[6] then byKey = byKey + amount end
      if meta[2] == ARGV[7] then byModel = byModel + amount end
    end
    if all[i] == ARGV[1] then held = true end
  end
end
local amount = tonumber(ARGV[2])
local scopes = (#KEYS - 1) / 3
local out = {0, 0, ''}
local exceededScope, exceededWindow = 0, ''
for j = 0, scopes - 1 do
  local kind = ARGV[8 + j]
  local reserved = total
  if kind == 'k' then reserved = byKey elseif kind == 'm' then reserved = byModel end
  local limits = redis.call('HMGET', KEYS[2 + 3 * j], 'day', 'month')
  local spentDay = tonumber(redis.call('GET', KEYS[3 + 3 * j]) or '0')
  local spentMonth = tonumber(redis.call('GET', KEYS[4 + 3 * j]) or '0')
  if not held and exceededScope == 0 then
    if limits[1] and spentDay + reserved + amount > tonumber(limits[1]) then exceededScope, exceededWindow = j + 1, 'day'
    elseif limits[2] and spentMonth + reserved + amount > tonumber(limits[2]) then exceededScope, exceededWindow = j + 1, 'month' end
  end
  table.insert(out, spentDay)
  table.insert(out, spentMonth)
  table.insert(out, limits[1] or '')
  table.insert(out, limits[2] or '')
  table.insert(out, reserved)
end
if exceededScope > 0 then
  out[2], out[3] = exceededScope, exceededWindow
  return out
end
out[1] = 1
if not held then
  local ttl = tonumber(ARGV[4])
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. (now + ttl) .. ':' .. ARGV[5])
  if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
  for j = 0, scopes - 1 do out[8 + 5 * j] = out[8 + 5 * j] + amount end
end
return out
`;

// KEYS: limits, scopes index. ARGV: window, limit ('' = remove), scope id. Returns the previous limit or false.
const SET_LIMIT_SCRIPT = `
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[3]) else redis.call('SADD', KEYS[2], ARGV[3]) end
return previous
`;

const RESERVE = 'sophiaLedgerReserveScoped';
const SET_LIMIT = 'sophiaLedgerSetLimit';

type ScriptedRedis = {
  [RESERVE](numKeys: number, ...keysThenArgs: Array<string | number>): Promise<Array<string | number>>;
  [SET_LIMIT](limits: string, index: string, window: string, limit: string, scope: string): Promise<string | null>;
};

function limitOf(value: string | number | null | undefined): number | undefined {
  return value === null || value === undefined || value === '' ? undefined : Number(value);
}

/** Reservation hash value: "<µ$>:<expires at ms>:<[apiKey, model, promptEstimate] JSON>". */
export function parseReservation(value: string): { amount: number; expiresAtMs: number; apiKey: string; model: string } {
  const s1 = value.indexOf(':');
  const s2 = value.indexOf(':', s1 + 1);
  const meta: [string, string] = s2 < 0 ? ['', ''] : (JSON.parse(value.slice(s2 + 1)) as [string, string]);
  return {
    amount: Number(value.slice(0, s1)),
    expiresAtMs: Number(s2 < 0 ? value.slice(s1 + 1) : value.slice(s1 + 1, s2)),
    apiKey: meta[0],
    model: meta[1],
  };
}

function scopeKind(scope: BudgetScope): 't' | 'k' | 'm' {
  if (scope.apiKey !== '') return 'k';
  return scope.model !== '' ? 'm' : 't';
}

function byScopeId(a: BudgetScope, b: BudgetScope): number {
  const x = scopeId(a);
  const y = scopeId(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Budget operations over `redis` with the ledger's keys; periods follow `calendar`. */
export function createRedisBudgetStore(redis: Redis | Cluster, keys: RedisLedgerKeys, calendar: BudgetCalendar): BudgetStore {
  if (!(RESERVE in redis)) redis.defineCommand(RESERVE, { lua: RESERVE_SCRIPT });
  if (!(SET_LIMIT in redis)) redis.defineCommand(SET_LIMIT, { numberOfKeys: 2, lua: SET_LIMIT_SCRIPT });
  const scripted = redis as unknown as ScriptedRedis;

  const status = async (scope: BudgetScope, nowMs: number): Promise<BudgetState[]> => {
    const [held, limits, spentDay, spentMonth] = await Promise.all([
      redis.hgetall(keys.reservations(scope.tenant)),
      redis.hmget(keys.limits(scopeId(scope)), 'day', 'month'),
      redis.get(keys.spent(scopeId(scope), 'day', calendar.period('day', nowMs))),
      redis.get(keys.spent(scopeId(scope), 'month', calendar.period('month', nowMs))),
    ]);
    let reserved = 0;
    for (const value of Object.values(held)) {
      const r = parseReservation(value);
      if (r.expiresAtMs <= nowMs) continue;
      if ((scope.apiKey === '' || scope.apiKey === r.apiKey) && (scope.model === '' || scope.model === r.model)) reserved += r.amount;
    }
    const limit = { day: limitOf(limits[0]), month: limitOf(limits[1]) };
    return scopeStates(calendar, scope, nowMs, defined(limit), { day: Number(spentDay ?? 0), month: Number(spentMonth ?? 0) }, reserved);
  };

  return {
    async setLimit(scope, window, limitMicroUsd) {
      checkLimit(limitMicroUsd);
      const id = scopeId(scope);
      const previous = await scripted[SET_LIMIT](keys.limits(id), keys.budgetScopes(scope.tenant), window, limitMicroUsd === undefined ? '' : String(limitMicroUsd), id);
      return limitOf(previous);
    },

    async reserve(request): Promise<ReserveOutcome> {
      checkReserveRequest(request);
      const apiKey = request.apiKey ?? '';
      const model = request.model ?? '';
      const scopes = applicableScopes(request.tenant, model, apiKey);
      const day = calendar.period('day', request.nowMs);
      const month = calendar.period('month', request.nowMs);
      const scopeKeys = scopes.flatMap((s) => [keys.limits(scopeId(s)), keys.spent(scopeId(s), 'day', day), keys.spent(scopeId(s), 'month', month)]);
      const out = await scripted[RESERVE](
        1 + scopeKeys.length,
        keys.reservations(request.tenant),
        ...scopeKeys,
        request.reservationId,
        request.amountMicroUsd,
        request.nowMs,
        request.ttlMs,
        JSON.stringify([apiKey, model, request.promptEstimate ?? 0]),
        apiKey,
        model,
        ...scopes.map(scopeKind),
      );
      const states = scopes.flatMap((scope, j) => {
        const at = 3 + 5 * j;
        const limit = { day: limitOf(out[at + 2]), month: limitOf(out[at + 3]) };
        return scopeStates(calendar, scope, request.nowMs, defined(limit), { day: Number(out[at]), month: Number(out[at + 1]) }, Number(out[at + 4]));
      });
      const exceededScope = Number(out[1]);
      if (exceededScope === 0) return { granted: Number(out[0]) === 1, states };
      const window = out[2] as BudgetWindow;
      const exceeded = states.find((s) => s.scope === scopes[exceededScope - 1] && s.window === window);
      return exceeded === undefined ? { granted: false, states } : { granted: false, exceeded, states };
    },

    async release(tenant, reservationId) {
      return (await redis.hdel(keys.reservations(tenant), reservationId)) === 1;
    },

    status,

    async promptCalibration(model): Promise<PromptCalibration> {
      const [n, r, x, pr, px] = await redis.hmget(keys.calibration(model), 'n', 'r', 'x', 'pr', 'px');
      if (n === null || n === undefined) return NO_CALIBRATION;
      const previous = pr !== null && pr !== undefined;
      return {
        samples: Number(n) + (previous ? CALIBRATION_GENERATION : 0),
        maxRatioMilli: Math.max(Number(r), previous ? Number(pr) : Number(r)),
        maxExcessTokens: Math.max(Number(x), previous ? Number(px) : Number(x)),
      };
    },

    async tenantStatus(tenant, nowMs) {
      const ids = await redis.smembers(keys.budgetScopes(tenant));
      const others = ids
        .map((id) => {
          const [t, apiKey, model] = JSON.parse(id) as [string, string, string];
          return { tenant: t, apiKey, model };
        })
        .filter((s) => s.apiKey !== '' || s.model !== '')
        .sort(byScopeId);
      const all = await Promise.all([tenantScope(tenant), ...others].map((s) => status(s, nowMs)));
      return all.flat();
    },
  };
}

function defined(limits: { day: number | undefined; month: number | undefined }): Partial<Record<BudgetWindow, number>> {
  const out: Partial<Record<BudgetWindow, number>> = {};
  if (limits.day !== undefined) out.day = limits.day;
  if (limits.month !== undefined) out.month = limits.month;
  return out;
}

// BudgetStore in Redis. Reserve is one Lua script: sweep the tenant's expired reservations, sum the
// live ones, read spend and limits, and hold the amount only if every limited window still fits —
// atomic, so replicas reserving concurrently cannot jointly overrun a limit. Spend itself is added
// by the usage store's record script (same counters), which also releases the reservation.
import type { Cluster, Redis } from 'ioredis';
import {
  budgetPeriod,
  checkReserveRequest,
  type BudgetState,
  type BudgetStore,
  type BudgetWindow,
  type ReserveOutcome,
} from './budget-store.ts';
import type { RedisLedgerKeys } from './redis-ledger-keys.ts';

// KEYS: reservations, limits, spent:day, spent:month. ARGV: id, amount, nowMs, ttlMs.
// Returns {granted, exceeded, spentDay, spentMonth, reserved, limitDay, limitMonth}.
const RESERVE_SCRIPT = `
local now = tonumber(ARGV[3])
local reserved = 0
local held = false
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local sep = string.find(all[i + 1], ':', 1, true)
  local amount = tonumber(string.sub(all[i + 1], 1, sep - 1))
  if tonumber(string.sub(all[i + 1], sep + 1)) <= now then
    redis.call('HDEL', KEYS[1], all[i])
  else
    reserved = reserved + amount
    if all[i] == ARGV[1] then held = true end
  end
end
local spentDay = tonumber(redis.call('GET', KEYS[3]) or '0')
local spentMonth = tonumber(redis.call('GET', KEYS[4]) or '0')
local limitDay = redis.call('HGET', KEYS[2], 'day')
local limitMonth = redis.call('HGET', KEYS[2], 'month')
local amount = tonumber(ARGV[2])
local exceeded = ''
if not held then
  if limitDay and spentDay + reserved + amount > tonumber(limitDay) then exceeded = 'day'
  elseif limitMonth and spentMonth + reserved + amount > tonumber(limitMonth) then exceeded = 'month' end
end
if held or exceeded ~= '' then
  return {held and 1 or 0, exceeded, spentDay, spentMonth, reserved, limitDay or '', limitMonth or ''}
end
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. (now + ttl))
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return {1, '', spentDay, spentMonth, reserved + amount, limitDay or '', limitMonth or ''}
`;

const COMMAND = 'sophiaLedgerReserve';

type ScriptedRedis = {
  [COMMAND](
    reservations: string,
    limits: string,
    spentDay: string,
    spentMonth: string,
    id: string,
    amount: number,
    nowMs: number,
    ttlMs: number,
  ): Promise<[number, string, number, number, number, string, string]>;
};

function limitOf(value: string | null | undefined): number | undefined {
  return value === null || value === undefined || value === '' ? undefined : Number(value);
}

/** Budget operations over `redis` with the ledger's keys. */
export function createRedisBudgetStore(redis: Redis | Cluster, keys: RedisLedgerKeys): BudgetStore {
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 4, lua: RESERVE_SCRIPT });
  const scripted = redis as unknown as ScriptedRedis;
  const windowState = (window: BudgetWindow, period: string, limit: number | undefined, spent: number, reserved: number): BudgetState => ({
    window,
    period,
    limitMicroUsd: limit,
    spentMicroUsd: spent,
    reservedMicroUsd: reserved,
  });

  return {
    async setLimit(tenant, window, limitMicroUsd) {
      if (limitMicroUsd === undefined) {
        await redis.hdel(keys.limits(tenant), window);
        return;
      }
      if (!Number.isSafeInteger(limitMicroUsd) || limitMicroUsd < 0) throw new RangeError(`limitMicroUsd must be a non-negative integer`);
      await redis.hset(keys.limits(tenant), window, String(limitMicroUsd));
    },

    async reserve(request): Promise<ReserveOutcome> {
      checkReserveRequest(request);
      const day = budgetPeriod('day', request.nowMs);
      const month = budgetPeriod('month', request.nowMs);
      const [granted, exceeded, spentDay, spentMonth, reserved, limitDay, limitMonth] = await scripted[COMMAND](
        keys.reservations(request.tenant),
        keys.limits(request.tenant),
        keys.spent(request.tenant, 'day', day),
        keys.spent(request.tenant, 'month', month),
        request.reservationId,
        request.amountMicroUsd,
        request.nowMs,
        request.ttlMs,
      );
      const states = [
        windowState('day', day, limitOf(limitDay), spentDay, reserved),
        windowState('month', month, limitOf(limitMonth), spentMonth, reserved),
      ];
      return exceeded === '' ? { granted: granted === 1, states } : { granted: false, exceeded: exceeded as BudgetWindow, states };
    },

    async release(tenant, reservationId) {
      return (await redis.hdel(keys.reservations(tenant), reservationId)) === 1;
    },

    async status(tenant, nowMs) {
      const day = budgetPeriod('day', nowMs);
      const month = budgetPeriod('month', nowMs);
      const [held, limits, spentDay, spentMonth] = await Promise.all([
        redis.hgetall(keys.reservations(tenant)),
        redis.hgetall(keys.limits(tenant)),
        redis.get(keys.spent(tenant, 'day', day)),
        redis.get(keys.spent(tenant, 'month', month)),
      ]);
      let reserved = 0;
      for (const value of Object.values(held)) {
        const [amount, expiresAt] = value.split(':').map(Number);
        if ((expiresAt ?? 0) > nowMs) reserved += amount ?? 0;
      }
      return [
        windowState('day', day, limitOf(limits['day']), Number(spentDay ?? 0), reserved),
        windowState('month', month, limitOf(limits['month']), Number(spentMonth ?? 0), reserved),
      ];
    },
  };
}

import type { DatabaseSync } from 'node:sqlite';
import type { Cluster, Redis } from 'ioredis';
import { transaction, type StoreSchema } from '@sophia/state-store';

/** One exponentially decayed counter to add to (amount 0 only reads it). */
export interface DecayedAdd {
  readonly key: string;
  /** Decay time constant: a steady rate r per ms holds the counter near r × tauMs. */
  readonly tauMs: number;
  readonly amount: number;
}

/**
 * A condition on an add: its first `counters` entries are read first (amount 0), and when one of them
 * reads at least `atLeast`, nothing after them is added. Runaway protection's stop latch: a stopped
 * caller's requests are refused without being counted, judged in the same step that counts them.
 */
export interface AddGuard {
  readonly counters: number;
  readonly atLeast: number;
}

/**
 * Runaway protection's state: decayed counters (request counts, spend, repeats of one prompt) per
 * key and per tenant, shared by every gateway replica through Redis, or in the embedded state file.
 * A counter untouched for many time constants is worth nothing and is forgotten.
 */
export interface RunawayCounterStore {
  /**
   * Decays each counter to `nowMs`, adds its amount, and returns the values after, in order — one
   * atomic step, so concurrent requests on any replica each see the others' counts. `tenant` groups
   * the keys (one Redis Cluster slot per tenant). With a `guard` that holds, only the guard's
   * counters are returned and nothing is added.
   */
  add(tenant: string, adds: readonly DecayedAdd[], nowMs: number, guard?: AddGuard): Promise<number[]>;
}

/** A counter is dropped this many time constants after its last change (its value is then < e^-8 of what it was). */
const FORGET_AFTER_TAU = 8;

/** The `gateway-runaway` store in the embedded state file. */
export const RUNAWAY_COUNTER_SCHEMA: StoreSchema = {
  name: 'gateway-runaway',
  migrations: [
    {
      version: 1,
      sql: `CREATE TABLE gateway_runaway_counters (key TEXT PRIMARY KEY, value REAL NOT NULL, at_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL) STRICT;
        CREATE INDEX gateway_runaway_counters_expiry ON gateway_runaway_counters (expires_ms);`,
    },
  ],
};

const decayed = (value: number, atMs: number, nowMs: number, tauMs: number): number => value * Math.exp(-Math.max(0, nowMs - atMs) / tauMs);

/**
 * The counters in the embedded state file, one transaction per call. Open the handle with group
 * commit: losing the last moment's counts at a power cut is harmless, an fsync per request is not.
 */
export function createSqliteRunawayCounterStore(db: DatabaseSync): RunawayCounterStore {
  const select = db.prepare('SELECT value, at_ms FROM gateway_runaway_counters WHERE key = ?');
  const upsert = db.prepare(
    'INSERT INTO gateway_runaway_counters (key, value, at_ms, expires_ms) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, at_ms = excluded.at_ms, expires_ms = excluded.expires_ms',
  );
  const prune = db.prepare('DELETE FROM gateway_runaway_counters WHERE key IN (SELECT key FROM gateway_runaway_counters WHERE expires_ms <= ? LIMIT 32)');
  return {
    add(tenant, adds, nowMs, guard) {
      const values = transaction(db, () => {
        prune.run(nowMs);
        const out: number[] = [];
        for (const { key, tauMs, amount } of adds) {
          if (out.length === guard?.counters && out.some((v) => v >= guard.atLeast)) break;
          const id = `${tenant}\u0000${key}`;
          const row = select.get(id) as { value: number; at_ms: number } | undefined;
          const value = (row ? decayed(row.value, row.at_ms, nowMs, tauMs) : 0) + amount;
          if (amount !== 0) upsert.run(id, value, nowMs, nowMs + Math.ceil(FORGET_AFTER_TAU * tauMs));
          out.push(value);
        }
        return out;
      });
      return Promise.resolve(values);
    },
  };
}

// KEYS: one hash per counter. ARGV: now, forgetAfterTau, guard counters (0: none), guard threshold,
// then per counter: tau, amount.
// `now` is the replica's clock (every replica judges decay by the same kind of clock as the embedded
// store); key lifetimes are relative (PEXPIRE), so Redis's own clock never matters.
const ADD = `
local now = tonumber(ARGV[1]); local forget = tonumber(ARGV[2])
local guard = tonumber(ARGV[3]); local atLeast = tonumber(ARGV[4]); local held = false
local out = {}
for i = 1, #KEYS do
  if i == guard + 1 and held then break end
  local tau = tonumber(ARGV[3 + i * 2]); local amount = tonumber(ARGV[4 + i * 2])
  local v = redis.call('HMGET', KEYS[i], 'v', 't')
  local value = 0
  if v[1] then value = tonumber(v[1]) * math.exp(-math.max(0, now - tonumber(v[2])) / tau) end
  value = value + amount
  if amount ~= 0 then
    redis.call('HSET', KEYS[i], 'v', tostring(value), 't', now)
    redis.call('PEXPIRE', KEYS[i], math.ceil(forget * tau))
  end
  if i <= guard and value >= atLeast then held = true end
  out[i] = tostring(value)
end
return out
`;

interface AddCommand {
  sophiaRunawayAdd(...args: Array<string | number>): Promise<string[]>;
}

/** The counters in Redis (one Lua script per call), shared by every gateway replica. */
export function createRedisRunawayCounterStore(redis: Redis | Cluster, keyPrefix = 'sophia:runaway:'): RunawayCounterStore {
  if (!('sophiaRunawayAdd' in redis)) redis.defineCommand('sophiaRunawayAdd', { lua: ADD });
  const command = redis as unknown as AddCommand;
  return {
    async add(tenant, adds, nowMs, guard) {
      const keys = adds.map((a) => `${keyPrefix}{${tenant}}:${a.key}`);
      const out = await command.sophiaRunawayAdd(keys.length, ...keys, nowMs, FORGET_AFTER_TAU, guard?.counters ?? 0, guard?.atLeast ?? 0, ...adds.flatMap((a) => [a.tauMs, a.amount]));
      return out.map(Number);
    },
  };
}

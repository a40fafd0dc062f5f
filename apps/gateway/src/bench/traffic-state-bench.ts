// Run: npm run -s node24 -- apps/gateway/src/bench/traffic-state-bench.ts [calls-per-round]  (needs redis-server on PATH)
// The traffic policies' state operations alone (no HTTP, no router), so machine noise in the HTTP
// path does not hide them: rate-limit admit + settle, a runaway judgement with the gateway's default
// thresholds, and a cache hit's lookup + usage kept in the outbox (and removed once the ledger took it),
// on the embedded state file (group commit, as the gateway opens it) and on Redis. Rounds interleave
// the variants; medians per call over all rounds.
import { Redis } from 'ioredis';
import { openDataDir } from '@sophia/state-store';
import { startRedisServer } from '@sophia/platform/testing';
import { tempDataDir } from '@sophia/state-store/testing';
import { createRedisRateLimiter } from '../rate-limit/redis-rate-limiter.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import { createSqliteRateLimiter, RATE_LIMITER_SCHEMA } from '../rate-limit/sqlite-rate-limiter.ts';
import { createRunawayDetector, type RunawayDetector } from '../runaway/runaway-detector.ts';
import { createRedisRunawayCounterStore, createSqliteRunawayCounterStore, RUNAWAY_COUNTER_SCHEMA } from '../runaway/runaway-counter-store.ts';
import { runawayOptionsOf } from '../runaway/runaway-options.ts';
import { gatewayConfigSchema } from '../gateway-config.ts';
import { loadConfig } from '@sophia/platform';
import { createRedisResponseCacheStore, createSqliteResponseCacheStore, RESPONSE_CACHE_SCHEMA, type ResponseCacheStore } from '../cache/response-cache-store.ts';
import { createRedisUsageOutbox, createSqliteUsageOutbox, USAGE_OUTBOX_SCHEMA, type UsageOutbox } from '../cache/usage-outbox.ts';

const N = Number(process.argv[2] ?? 2000);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const limits = { tenant: { requestsPerMinute: 1e9, tokensPerMinute: 1e12, concurrentRequests: 1e6 }, perKey: { requestsPerMinute: 1e9 } };

const dataDir = tempDataDir('sophia-state-bench-');
const state = openDataDir({ dataDir: dataDir.dir }, [RATE_LIMITER_SCHEMA, RUNAWAY_COUNTER_SCHEMA, RESPONSE_CACHE_SCHEMA, USAGE_OUTBOX_SCHEMA], { groupCommit: true });
const server = await startRedisServer();
const redis = new Redis(server.url);
// The gateway's defaults (spend signal, long-term baseline, repeats detected); 0.001 USD answers slow nothing.
const runaway = runawayOptionsOf(loadConfig(gatewayConfigSchema, { env: {} }))!;
// A stored answer of four events (decision, two deltas, done) of realistic size.
const answer = ['a'.repeat(300), 'b'.repeat(60), 'c'.repeat(60), 'd'.repeat(400)];

const limit = (limiter: RateLimiter) => async (i: number) => {
  const req = { tenant: `t${i % 50}`, keyId: `k${i % 200}`, limits, tokens: 100, leaseId: `l${i}`, leaseMs: 60_000, nowMs: Date.now() };
  await limiter.admit(req);
  await limiter.settle({ ...req, tokenDelta: -20 });
};
const judge = (detector: RunawayDetector) => async (i: number) => {
  const caller = { tenant: `t${i % 50}`, keyId: `k${i % 200}` };
  await detector.observe(caller, `p${i}`, Date.now());
  await detector.recordSpend(caller, 0.001, Date.now());
};
const hit = (cache: ResponseCacheStore, outbox: UsageOutbox) => {
  const keys = Array.from({ length: 200 }, (_, k) => `key${k}`);
  return async (i: number) => {
    const key = keys[i % keys.length]!;
    if ((await cache.get(key, Date.now())) === undefined) await cache.put(key, answer, Date.now(), 600_000);
    await outbox.add({ requestId: `r${i}`, event: new Uint8Array(120) });
    await outbox.remove(`r${i}`);
  };
};
const variants: Array<[string, (i: number) => Promise<void>]> = [
  ['cache hit: lookup + usage outbox add/remove (state file)', hit(createSqliteResponseCacheStore(state.db), createSqliteUsageOutbox(state.db))],
  ['cache hit: lookup + usage outbox add/remove (Redis)', hit(createRedisResponseCacheStore(redis), createRedisUsageOutbox(redis))],
  ['rate limit admit+settle (state file)', limit(createSqliteRateLimiter(state.db))],
  ['rate limit admit+settle (Redis script)', limit(createRedisRateLimiter({ redis }))],
  ['runaway observe+spend (state file)', judge(createRunawayDetector(createSqliteRunawayCounterStore(state.db), runaway))],
  ['runaway observe+spend (Redis script)', judge(createRunawayDetector(createRedisRunawayCounterStore(redis), runaway))],
];
const results: Record<string, number[]> = {};
for (let round = 0; round < 3; round++) {
  for (const [name, op] of variants) {
    for (let i = 0; i < N; i++) {
      const t = process.hrtime.bigint();
      await op(round * N + i);
      (results[name] ??= []).push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
}
for (const [name, xs] of Object.entries(results)) console.log(`${name.padEnd(58)} median ${median(xs).toFixed(3)} ms per request`);
await redis.quit();
await server.stop();
state.close();
dataDir.remove();

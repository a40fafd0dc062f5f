// Run: npm run -s node24 -- apps/gateway/src/bench/traffic-policy-bench.ts [requests-per-variant]  (needs redis-server on PATH)
// Added latency of the gateway's traffic policies, one run, ratios of medians: the same gateway
// (real HTTP on port 0, fake in-memory router) with no policy; with the policies as the gateway opens
// them by default (openTrafficPolicy, no traffic keys set: cache and runaway protection on, no rate
// limits); rate limits and runaway protection alone (embedded state file with group commit / Redis
// script); and the response cache (miss path, and a hit — its usage kept in the outbox — vs upstream);
// then the hit rate on a repeated-prompt load.
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startRedisServer } from '@sophia/platform/testing';
import { openDataDir } from '@sophia/state-store';
import { tempDataDir } from '@sophia/state-store/testing';
import { startTestGateway, jsonHeaders } from '../testing/gateway-harness.ts';
import { rateLimitRouter } from '../rate-limit/rate-limited-router.ts';
import { createSqliteRateLimiter, RATE_LIMITER_SCHEMA } from '../rate-limit/sqlite-rate-limiter.ts';
import { createRedisRateLimiter } from '../rate-limit/redis-rate-limiter.ts';
import { createRateLimitSource } from '../rate-limit/rate-limit-source.ts';
import { createSqliteRateLimitStore, RATE_LIMIT_STORE_SCHEMA } from '../rate-limit/rate-limit-store.ts';
import { cacheRouter } from '../cache/cached-router.ts';
import { createSqliteResponseCacheStore, RESPONSE_CACHE_SCHEMA } from '../cache/response-cache-store.ts';
import { createRunawayDetector } from '../runaway/runaway-detector.ts';
import { runawayRouter } from '../runaway/runaway-router.ts';
import { createRedisRunawayCounterStore, createSqliteRunawayCounterStore, RUNAWAY_COUNTER_SCHEMA } from '../runaway/runaway-counter-store.ts';
import { runawayOptionsOf } from '../runaway/runaway-options.ts';
import { createCacheHitRecorder } from '../cache/cache-hit-recorder.ts';
import { createSqliteUsageOutbox, USAGE_OUTBOX_SCHEMA } from '../cache/usage-outbox.ts';
import { gatewayConfigSchema } from '../gateway-config.ts';
import { openTrafficPolicy } from '../open-traffic-policy.ts';
import { loadConfig } from '@sophia/platform';
import type { Client } from '@connectrpc/connect';
import type { LedgerService } from '@sophia/contracts/ledger';

const N = Number(process.argv[2] ?? 400);
const logger = pino({ level: 'silent' });
const limits = new Map([['acme', { tenant: { requestsPerMinute: 1e9, tokensPerMinute: 1e9, concurrentRequests: 1000 }, perKey: { requestsPerMinute: 1e9 } }]]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!;

async function timeRequests(url: string, body: (i: number) => object): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < N + 50; i++) {
    const t = process.hrtime.bigint();
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders(), body: JSON.stringify(body(i)) });
    await res.text();
    if (i >= 50) out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

const redisServer = await startRedisServer();
const redis = new Redis(redisServer.url);
const dataDir = tempDataDir('sophia-bench-');
const db = openDataDir({ dataDir: dataDir.dir }, [RATE_LIMIT_STORE_SCHEMA, RATE_LIMITER_SCHEMA, RESPONSE_CACHE_SCHEMA, RUNAWAY_COUNTER_SCHEMA, USAGE_OUTBOX_SCHEMA], { groupCommit: true });
const defaultsDir = tempDataDir('sophia-bench-defaults-');
// Runaway protection as configured by default (the fake router's answers cost 42 µ$: nothing is slowed).
const runawayOptions = runawayOptionsOf(loadConfig(gatewayConfigSchema, { env: {} }))!;
// A ledger that takes every record at once: the hit path's cost is the outbox, not a network call.
const ledger = { recordUsage: () => Promise.resolve({ recorded: true }) } as unknown as Client<typeof LedgerService>;
const hitRecorder = createCacheHitRecorder({ ledger, outbox: createSqliteUsageOutbox(db.db), logger });
const defaults = await openTrafficPolicy(loadConfig(gatewayConfigSchema, { env: { SOPHIA_DATA_DIR: defaultsDir.dir } }), logger, undefined, ledger);
const store = createSqliteRateLimitStore(db.db);
const variants: Array<[string, Parameters<typeof startTestGateway>[0]]> = [
  ['none', {}],
  ['gateway defaults (sampled requests)', { routerTap: (r) => defaults.wrap(r) }],
  ['rate limits (state file)', { routerTap: (r) => rateLimitRouter(r, { limiter: createSqliteRateLimiter(db.db), limits: createRateLimitSource({ config: limits, store }), leaseMs: 60_000, logger }) }],
  ['rate limits (Redis script)', { routerTap: (r) => rateLimitRouter(r, { limiter: createRedisRateLimiter({ redis }), limits: createRateLimitSource({ config: limits, store }), leaseMs: 60_000, logger }) }],
  ['runaway protection (state file)', { routerTap: (r) => runawayRouter(r, { detector: createRunawayDetector(createSqliteRunawayCounterStore(db.db), runawayOptions), logger }) }],
  ['runaway protection (Redis script)', { routerTap: (r) => runawayRouter(r, { detector: createRunawayDetector(createRedisRunawayCounterStore(redis), runawayOptions), logger }) }],
  ['cache miss path (temperature 0, distinct prompts)', { routerTap: (r) => cacheRouter(r, { store: createSqliteResponseCacheStore(db.db), ttlMs: 600_000, logger }) }],
  ['cache hit (same prompt)', { routerTap: (r) => cacheRouter(r, { store: createSqliteResponseCacheStore(db.db), ttlMs: 600_000, logger, onHit: (hit) => hitRecorder.record(hit) }) }],
  ['gateway defaults, cache hit (same prompt)', { routerTap: (r) => defaults.wrap(r) }],
];
const results: Record<string, number[]> = {};
// Interleave rounds so machine noise hits every variant alike.
for (let round = 0; round < 3; round++) {
  for (const [name, opts] of variants) {
    const { gateway } = await startTestGateway(opts);
    const body = name.endsWith('cache hit (same prompt)') ? () => ({ model: 'auto', messages: [{ role: 'user', content: 'same' }], temperature: 0 })
      : name.startsWith('cache miss') ? (i: number) => ({ model: 'auto', messages: [{ role: 'user', content: `q${round}-${i}` }], temperature: 0 })
      : (i: number) => ({ model: 'auto', messages: [{ role: 'user', content: `q${i}` }] });
    (results[name] ??= []).push(...(await timeRequests(gateway.url, body)));
    await gateway.close(100);
  }
}
const base = median(results['none']!);
for (const [name, xs] of Object.entries(results)) {
  console.log(`${name.padEnd(50)} median ${median(xs).toFixed(3)} ms  p99 ${p99(xs).toFixed(3)} ms  median − none ${(median(xs) - base).toFixed(3)} ms  ratio ${(median(xs) / base).toFixed(3)}`);
}
// Hit rate on a repeated-prompt load: 2,000 temperature-0 requests drawn from 200 prompts (Zipf s=1).
let hits = 0, lookups = 0;
const { gateway, fake } = await startTestGateway({ routerTap: (r) => cacheRouter(r, { store: createSqliteResponseCacheStore(db.db), ttlMs: 600_000, logger, onLookup: (o) => { lookups++; if (o === 'hit') hits++; } }) });
const weights = Array.from({ length: 200 }, (_, k) => 1 / (k + 1));
const total = weights.reduce((a, b) => a + b, 0);
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
for (let i = 0; i < 2000; i++) {
  let x = rand() * total, k = 0;
  while (x > weights[k]!) x -= weights[k++]!;
  const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders(), body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: `zipf prompt ${k}` }], temperature: 0 }) });
  await res.text();
}
console.log(`repeated-prompt load (2000 requests, 200 prompts, Zipf s=1): hit rate ${(hits / lookups * 100).toFixed(1)}% (${hits}/${lookups}), upstream calls ${fake.calls.inputs.length}`);
await gateway.close(100);
hitRecorder.close();
await defaults.close();
defaultsDir.remove();
await redis.quit();
await redisServer.stop();
db.close();
dataDir.remove();

import type { Client } from '@connectrpc/connect';
import type { RouterService } from '@sophia/contracts/router';
import type { Logger } from '@sophia/platform';
import { connectRedis } from '@sophia/platform/redis';
import { dataDirOptions, openDataDir, openStateDatabase, StateStoreError, type StoreSchema } from '@sophia/state-store';
import { Counter, type Registry } from 'prom-client';
import type { GatewayConfig } from './gateway-config.ts';
import { createSqliteRateLimiter, RATE_LIMITER_SCHEMA } from './rate-limit/sqlite-rate-limiter.ts';
import { rateLimitRouter } from './rate-limit/rate-limited-router.ts';
import type { RateLimiter } from './rate-limit/rate-limiter.ts';
import { createRateLimitSource, type RateLimitSource } from './rate-limit/rate-limit-source.ts';
import { createRedisRateLimitStore, createSqliteRateLimitStore, RATE_LIMIT_STORE_SCHEMA, type RateLimitStore } from './rate-limit/rate-limit-store.ts';
import { createRedisRateLimiter } from './rate-limit/redis-rate-limiter.ts';
import { createCacheHitRecorder } from './cache/cache-hit-recorder.ts';
import { createRedisUsageOutbox, createSqliteUsageOutbox, USAGE_OUTBOX_SCHEMA, type UsageOutbox } from './cache/usage-outbox.ts';
import { cacheRouter, type CacheHit } from './cache/cached-router.ts';
import { createRunawayDetector } from './runaway/runaway-detector.ts';
import { createRedisRunawayCounterStore, createSqliteRunawayCounterStore, RUNAWAY_COUNTER_SCHEMA, type RunawayCounterStore } from './runaway/runaway-counter-store.ts';
import { runawayRouter, type RunawayEvent } from './runaway/runaway-router.ts';
import { runawayOptionsOf } from './runaway/runaway-options.ts';
import type { LedgerService } from '@sophia/contracts/ledger';
import { createRedisResponseCacheStore, createSqliteResponseCacheStore, RESPONSE_CACHE_SCHEMA, type ResponseCacheStore } from './cache/response-cache-store.ts';

/** The gateway's traffic policies, opened from config; `wrap` goes in front of the router client. */
export interface OpenedTrafficPolicy {
  wrap(router: Client<typeof RouterService>): Client<typeof RouterService>;
  /** Per-tenant limits (config + operator overrides), for the operator API. */
  readonly rateLimits: RateLimitSource;
  close(): Promise<void>;
}

const SCHEMAS: readonly StoreSchema[] = [RATE_LIMIT_STORE_SCHEMA, RATE_LIMITER_SCHEMA, RESPONSE_CACHE_SCHEMA, RUNAWAY_COUNTER_SCHEMA, USAGE_OUTBOX_SCHEMA];

/**
 * The embedded state file; when SOPHIA_DATA_DIR is unset and the default directory belongs to
 * another process, an in-memory database (logged: operator overrides then last only this process).
 * Group commit: counters, slots and cached answers are written per request without an fsync each
 * (a power cut loses at most the last moment's counts); an operator's limits await `durable()`.
 */
function openEmbedded(config: GatewayConfig, logger: Logger) {
  try {
    return openDataDir(dataDirOptions(config), SCHEMAS, { groupCommit: true });
  } catch (err) {
    if (!(err instanceof StateStoreError) || err.code !== 'data_dir_locked' || config.SOPHIA_DATA_DIR !== undefined) throw err;
    logger.error({ err: err.message }, 'default data directory is taken: rate-limit overrides last only as long as this process (set SOPHIA_DATA_DIR to keep them)');
    return openStateDatabase({ path: ':memory:', schemas: SCHEMAS });
  }
}

/**
 * Traffic policy state shared through Redis when SOPHIA_REDIS_URL is set (one atomic script per
 * decision, every replica), else in the embedded state file (every process on the data directory).
 */
export async function openTrafficPolicy(config: GatewayConfig, logger: Logger, registry: Registry | undefined, ledger?: Client<typeof LedgerService> | undefined): Promise<OpenedTrafficPolicy> {
  let limiter: RateLimiter;
  let store: RateLimitStore;
  let cache: ResponseCacheStore;
  let counters: RunawayCounterStore;
  let outbox: UsageOutbox;
  let close: () => Promise<void>;
  if (config.SOPHIA_REDIS_URL) {
    const redis = await connectRedis(config.SOPHIA_REDIS_URL, {
      // No offline queue: while Redis is unreachable a limit check fails at once and the request is
      // admitted without limits (rate-limited-router.ts), instead of every request waiting up to
      // commandTimeout for a reconnect — a silent wait that also carried requests begun during an
      // outage past its end (the chaos refuse row).
      options: { maxRetriesPerRequest: 1, commandTimeout: 1000, enableOfflineQueue: false },
      onError: (err) => logger.warn({ err: err.message }, 'redis connection error (traffic policies)'),
    });
    limiter = createRedisRateLimiter({ redis });
    store = createRedisRateLimitStore(redis);
    cache = createRedisResponseCacheStore(redis);
    counters = createRedisRunawayCounterStore(redis);
    outbox = createRedisUsageOutbox(redis);
    close = async () => void (await redis.quit());
  } else {
    const state = openEmbedded(config, logger);
    limiter = createSqliteRateLimiter(state.db);
    store = createSqliteRateLimitStore(state.db, () => state.durable());
    cache = createSqliteResponseCacheStore(state.db, config.SOPHIA_CACHE_MAX_ENTRIES);
    counters = createSqliteRunawayCounterStore(state.db);
    outbox = createSqliteUsageOutbox(state.db);
    close = async () => state.close();
  }
  const refused = new Counter({
    name: 'sophia_gateway_rate_limited_total',
    help: 'Chat requests refused by a rate limit, by scope (key, tenant) and reason (requests, tokens, concurrency, too_large)',
    labelNames: ['scope', 'reason'],
    registers: registry ? [registry] : [],
  });
  const lookups = new Counter({
    name: 'sophia_gateway_cache_lookups_total',
    help: 'Response-cache lookups of deterministic chat requests by outcome (hit, miss, bypass)',
    labelNames: ['outcome'],
    registers: registry ? [registry] : [],
  });
  const hits = ledger ? createCacheHitRecorder({ ledger, outbox, logger }) : undefined;
  const cacheOptions = {
    store: cache,
    ttlMs: config.SOPHIA_CACHE_TTL_MS,
    logger,
    onLookup: (outcome: string) => lookups.inc({ outcome }),
    // Each hit is recorded in the ledger (billed 0, its would-be cost reported as savings from the
    // cache), kept in the usage outbox before it is served.
    ...(hits ? { onHit: (hit: CacheHit) => hits.record(hit) } : {}),
  };
  const runaways = new Counter({
    name: 'sophia_gateway_runaway_total',
    help: 'ALERT (action slow|stop): requests slowed or stopped by runaway protection (a key or tenant whose spend or request rate is far above its own baseline, or one prompt repeated within seconds when repeats are enforced); action detect: a repeated prompt only reported. By tenant, action and scope (key, tenant)',
    labelNames: ['tenant', 'action', 'scope'],
    registers: registry ? [registry] : [],
  });
  const onRunaway = (event: RunawayEvent): void => {
    runaways.inc({ tenant: event.tenant, action: event.action, scope: event.scope });
    // A detection repeats on every request of a load test: debug, the metric counts it.
    const details = { tenant: event.tenant, keyId: event.keyId, action: event.action, scope: event.scope, why: event.why };
    if (event.action === 'detect') logger.debug(details, 'runaway protection');
    else logger.warn(details, 'runaway protection');
    // Stops go to the ledger's audit trail (slow-downs are too frequent to audit one by one; the metric counts them).
    if (event.action === 'stop' && ledger) {
      void ledger
        .appendAudit({ actor: 'gateway', action: 'runaway.stop', subject: event.tenant, details: JSON.stringify({ key_id: event.keyId, scope: event.scope, why: event.why }) })
        .catch((err: unknown) => logger.warn({ err }, 'runaway audit entry not written'));
    }
  };
  const runaway = runawayOptionsOf(config);
  const detector = runaway && createRunawayDetector(counters, runaway);
  const rateLimits = createRateLimitSource({ config: config.SOPHIA_RATE_LIMITS, store });
  const limitOptions = {
    limiter,
    limits: rateLimits,
    leaseMs: config.SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS + config.SOPHIA_SHUTDOWN_GRACE_MS,
    logger,
    onRefused: (labels: { scope: string; reason: string }) => refused.inc(labels),
  };
  return {
    // Limits count every request, cache hits included. Runaway protection judges only what reaches
    // the router: a hit costs nothing, so a client re-sending a cached request is no runaway (and a
    // load test of identical deterministic prompts is neither slowed nor stopped).
    wrap: (router) => {
      const guarded = detector ? runawayRouter(router, { detector, logger, onRunaway }) : router;
      const cached = config.SOPHIA_CACHE_TTL_MS > 0 ? cacheRouter(guarded, cacheOptions) : guarded;
      return rateLimitRouter(cached, limitOptions);
    },
    rateLimits,
    close: async () => {
      hits?.close();
      await close();
    },
  };
}

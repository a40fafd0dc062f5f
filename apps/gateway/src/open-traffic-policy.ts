import type { Client } from '@connectrpc/connect';
import type { RouterService } from '@sophia/contracts/router';
import type { Logger } from '@sophia/platform';
import { connectRedis } from '@sophia/platform/redis';
import { dataDirOptions, openDataDir, openStateDatabase, StateStoreError, type StoreSchema } from '@sophia/state-store';
import { Counter, type Registry } from 'prom-client';
import type { GatewayConfig } from './gateway-config.ts';
import { createMemoryRateLimiter } from './rate-limit/memory-rate-limiter.ts';
import { rateLimitRouter } from './rate-limit/rate-limited-router.ts';
import type { RateLimiter } from './rate-limit/rate-limiter.ts';
import { createRateLimitSource, type RateLimitSource } from './rate-limit/rate-limit-source.ts';
import { createRedisRateLimitStore, createSqliteRateLimitStore, RATE_LIMIT_STORE_SCHEMA, type RateLimitStore } from './rate-limit/rate-limit-store.ts';
import { createRedisRateLimiter } from './rate-limit/redis-rate-limiter.ts';

/** The gateway's traffic policies, opened from config; `wrap` goes in front of the router client. */
export interface OpenedTrafficPolicy {
  wrap(router: Client<typeof RouterService>): Client<typeof RouterService>;
  /** Per-tenant limits (config + operator overrides), for the operator API. */
  readonly rateLimits: RateLimitSource;
  close(): Promise<void>;
}

const SCHEMAS: readonly StoreSchema[] = [RATE_LIMIT_STORE_SCHEMA];

/**
 * The embedded state file; when SOPHIA_DATA_DIR is unset and the default directory belongs to
 * another process, an in-memory database (logged: operator overrides then last only this process).
 */
function openEmbedded(config: GatewayConfig, logger: Logger) {
  try {
    return openDataDir(dataDirOptions(config), SCHEMAS);
  } catch (err) {
    if (!(err instanceof StateStoreError) || err.code !== 'data_dir_locked' || config.SOPHIA_DATA_DIR !== undefined) throw err;
    logger.error({ err: err.message }, 'default data directory is taken: rate-limit overrides last only as long as this process (set SOPHIA_DATA_DIR to keep them)');
    return openStateDatabase({ path: ':memory:', schemas: SCHEMAS });
  }
}

/**
 * Rate limits shared through Redis when SOPHIA_REDIS_URL is set (one atomic script, every replica),
 * else in this process with overrides in the embedded state file.
 */
export async function openTrafficPolicy(config: GatewayConfig, logger: Logger, registry: Registry | undefined): Promise<OpenedTrafficPolicy> {
  let limiter: RateLimiter;
  let store: RateLimitStore;
  let close: () => Promise<void>;
  if (config.SOPHIA_REDIS_URL) {
    const redis = await connectRedis(config.SOPHIA_REDIS_URL, {
      options: { maxRetriesPerRequest: 1, commandTimeout: 1000 },
      onError: (err) => logger.warn({ err: err.message }, 'redis connection error (traffic policies)'),
    });
    limiter = createRedisRateLimiter({ redis });
    store = createRedisRateLimitStore(redis);
    close = async () => void (await redis.quit());
  } else {
    const state = openEmbedded(config, logger);
    limiter = createMemoryRateLimiter();
    store = createSqliteRateLimitStore(state.db);
    close = async () => state.close();
  }
  const refused = new Counter({
    name: 'sophia_gateway_rate_limited_total',
    help: 'Chat requests refused by a rate limit, by scope (key, tenant) and reason (requests, tokens, concurrency, too_large)',
    labelNames: ['scope', 'reason'],
    registers: registry ? [registry] : [],
  });
  const rateLimits = createRateLimitSource({ config: config.SOPHIA_RATE_LIMITS, store });
  const limitOptions = {
    limiter,
    limits: rateLimits,
    leaseMs: config.SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS + config.SOPHIA_SHUTDOWN_GRACE_MS,
    logger,
    onRefused: (labels: { scope: string; reason: string }) => refused.inc(labels),
  };
  return {
    wrap: (router) => rateLimitRouter(router, limitOptions),
    rateLimits,
    close,
  };
}

import { RouterService } from '@sophia/contracts/router';
import { ClassifierService } from '@sophia/contracts/classifier';
import { InferenceService } from '@sophia/contracts/inference';
import { LedgerService } from '@sophia/contracts/ledger';
import { createCatalogWatcher, loadCatalog, type CatalogBackend, type PriceCatalog } from '@sophia/price-catalog';
import { defineHostedService, serviceRegistration } from '@sophia/platform';
import type { Client } from '@connectrpc/connect';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectRedis } from '@sophia/platform/redis';
import { createCapacityPoller } from './capacity-poller.ts';
import { createFleetSignals } from './fleet-signals.ts';
import { createLedgerTokenMix } from './token-mix.ts';
import { createLedgerBudgetHeadroom } from './ledger-budget-headroom.ts';
import { dataDirOptions, openDataDir } from '@sophia/state-store';
import { OVERRIDE_SCHEMA } from './override-schema.ts';
import { COMMIT_OUTBOX_SCHEMA, createCommitOutbox } from './commit-outbox.ts';
import { withDurableCommits } from './durable-commits.ts';
import { createSqliteOverrideStore } from './sqlite-override-store.ts';
import type { OverrideStore } from './override-store.ts';
import { createPolicyWatcher } from './policy-watcher.ts';
import { createRedisOverrideStore } from './redis-override-store.ts';
import { parseRoutingPolicy, type RoutingPolicy } from './routing-policy.ts';
import { createTtftLimits } from '@sophia/ttft-limits';
import { routerConfigSchema } from './router-config.ts';
import { createRouterHandler } from './router-handler.ts';
import { createRouterMetrics } from './router-metrics.ts';
import { createTargetBreakers } from './target-breakers.ts';
import { createRetryBudget } from './retry-budget.ts';
import type { BreakerHistory } from './breaker-history/breaker-history.ts';
import { BREAKER_HISTORY_SCHEMA } from './breaker-history/breaker-history-schema.ts';
import { createRedisBreakerHistory } from './breaker-history/redis-breaker-history.ts';
import { createSqliteBreakerHistory } from './breaker-history/sqlite-breaker-history.ts';
import { withBreakerHistory } from './breaker-history/with-breaker-history.ts';

/** The router for a host: catalog and policy (bundled or watched files), overrides (Redis when shared, else the embedded state file), clients for the classifier, the ledger and both inference backends (in process when co-hosted, gRPC otherwise), breakers, retry budget and capacity poller. */
export const routerService = defineHostedService(routerConfigSchema, async ({ config, logger, metrics, connect }) => {
  let catalog: () => PriceCatalog;
  let closeCatalog = (): void => undefined;
  if (config.SOPHIA_CATALOG_PATH) {
    const watcher = createCatalogWatcher(config.SOPHIA_CATALOG_PATH, (c) => logger.info({ version: c.version }, 'catalog reloaded'), {
      onError: (err) => logger.error({ err: err.message }, 'catalog reload rejected: keeping the previous catalog'),
    });
    catalog = () => watcher.current();
    closeCatalog = () => watcher.close();
  } else {
    const bundled = loadCatalog();
    catalog = () => bundled;
  }
  let policy: () => RoutingPolicy;
  let closePolicy = (): void => undefined;
  if (config.SOPHIA_ROUTING_POLICY_PATH) {
    const watcher = createPolicyWatcher(config.SOPHIA_ROUTING_POLICY_PATH, {
      onChange: () => logger.info({ path: config.SOPHIA_ROUTING_POLICY_PATH }, 'routing policy reloaded'),
      onError: (err) => logger.error({ err: err.message }, 'routing policy reload rejected: keeping the previous policy'),
    });
    policy = () => watcher.current();
    closePolicy = () => watcher.close();
  } else {
    const path = fileURLToPath(new URL('../policy/default.yaml', import.meta.url));
    const bundled = parseRoutingPolicy(readFileSync(path, 'utf8'), path);
    policy = () => bundled;
  }
  // The embedded state file holds the commit outbox in every mode (usage the ledger could not take yet)
  // and, without Redis, the overrides.
  let state: ReturnType<typeof openDataDir>;
  try {
    state = openDataDir(dataDirOptions(config), [OVERRIDE_SCHEMA, COMMIT_OUTBOX_SCHEMA, BREAKER_HISTORY_SCHEMA]);
  } catch (err) {
    closePolicy();
    throw err;
  }
  let overrides: OverrideStore;
  let breakerHistory: BreakerHistory;
  const historyRetention = { maxAgeMs: config.SOPHIA_BREAKER_HISTORY_DAYS * 86_400_000, maxEntries: 1000 };
  const historyFailed = (err: Error): void => logger.warn({ err: err.message }, 'breaker history: write or read failed (the breakers work on)');
  let closeOverrides = async (): Promise<void> => undefined;
  if (config.SOPHIA_REDIS_URL) {
    let redis: Awaited<ReturnType<typeof connectRedis>>;
    try {
      redis = await connectRedis(config.SOPHIA_REDIS_URL, {
        // No offline queue: while Redis is unreachable the per-request override read fails at once
        // (the request is routed without overrides, request-planner.ts) instead of waiting up to
        // commandTimeout for a reconnect.
        options: { maxRetriesPerRequest: 1, commandTimeout: 500, enableOfflineQueue: false },
        onError: (err) => logger.warn({ err: err.message }, 'redis connection error'),
      });
    } catch (err) {
      closePolicy();
      state.close();
      throw err;
    }
    overrides = createRedisOverrideStore({
      redis,
      keyPrefix: config.SOPHIA_ROUTER_REDIS_PREFIX,
      onCorrupt: (id, err) => logger.error({ id, err: err.message }, 'stored override unreadable: ignored'),
    });
    breakerHistory = createRedisBreakerHistory({ redis, keyPrefix: config.SOPHIA_ROUTER_REDIS_PREFIX, retention: historyRetention, onError: historyFailed });
    closeOverrides = async () => void (await redis.quit());
    logger.info({ prefix: config.SOPHIA_ROUTER_REDIS_PREFIX }, 'overrides: redis (shared by all replicas)');
  } else {
    overrides = createSqliteOverrideStore(state.db, { onCorrupt: (id, err) => logger.error({ id, err: err.message }, 'stored override unreadable: ignored') });
    breakerHistory = createSqliteBreakerHistory(state.db, historyRetention, historyFailed);
    logger.info({ path: state.path }, 'overrides: embedded SQLite (kept across restarts; one mesh per data directory)');
  }
  const backends: Partial<Record<CatalogBackend, Client<typeof InferenceService>>> = {};
  const serverless = connect(InferenceService, 'serverless-inference');
  const gpu = connect(InferenceService, 'gpu-inference');
  if (serverless) backends.serverless = serverless;
  if (gpu) backends.gpu = gpu;
  if (Object.keys(backends).length === 0) logger.warn('no inference backend configured: every Generate will be UNAVAILABLE');
  const capacity = backends.gpu
    ? createCapacityPoller({
        client: backends.gpu,
        logger,
        intervalMs: config.SOPHIA_GPU_CAPACITY_POLL_MS,
        staleAfterMs: config.SOPHIA_GPU_CAPACITY_STALE_MS,
        // The GPU fleet scales on what this replica sees (breakers are created below; polling starts after).
        signals: createFleetSignals({ catalog, breakerStates: () => breakers.states(), overrides }),
      })
    : undefined;
  const breakers = createTargetBreakers(
    {
      volumeThreshold: config.SOPHIA_BREAKER_VOLUME_THRESHOLD,
      errorThresholdPercentage: config.SOPHIA_BREAKER_ERROR_PERCENT,
      resetTimeoutMs: config.SOPHIA_BREAKER_RESET_MS,
      rollingWindowMs: config.SOPHIA_BREAKER_WINDOW_MS,
      fastFailures: config.SOPHIA_BREAKER_FAST_FAILURES,
      failingForMs: config.SOPHIA_BREAKER_FAILING_FOR_MS,
      onTransition: (target, from, to, atMs) => breakerHistory.record({ target, from, to, atMs }),
    },
    metrics.registry,
  );
  capacity?.start();
  const ledgerClient = connect(LedgerService, 'ledger');
  const durable = ledgerClient ? withDurableCommits({ ledger: ledgerClient, outbox: createCommitOutbox(state.db), logger }) : undefined;
  const ledger = durable?.ledger;
  const handler = withBreakerHistory(createRouterHandler({
    catalog,
    classifier: connect(ClassifierService, 'classifier'),
    ledger,
    backends,
    breakers,
    logger,
    metrics: createRouterMetrics(metrics.registry),
    classifierTimeoutMs: config.SOPHIA_CLASSIFIER_TIMEOUT_MS,
    budgetOutage: config.SOPHIA_REDIS_OUTAGE,
    maxRescues: config.SOPHIA_ROUTER_MID_STREAM_RESCUES,
    maxRetries: config.SOPHIA_ROUTER_MAX_RETRIES,
    maxRetryAfterMs: config.SOPHIA_ROUTER_MAX_RETRY_AFTER_MS,
    retryBudget: createRetryBudget({ ratio: config.SOPHIA_ROUTER_RETRY_BUDGET_RATIO }),
    firstTokenBoundMs: config.SOPHIA_FIRST_TOKEN_BOUND_MS,
    // Hedge delays follow each target's own recent time to first event, within [hedge min, bound].
    ttft: createTtftLimits({ minMs: Math.min(config.SOPHIA_ROUTER_HEDGE_MIN_MS, config.SOPHIA_FIRST_TOKEN_BOUND_MS), maxMs: config.SOPHIA_FIRST_TOKEN_BOUND_MS, hedgeMinMs: config.SOPHIA_ROUTER_HEDGE_MIN_MS }),
    hedgeBudget: config.SOPHIA_ROUTER_HEDGE_BUDGET_RATIO > 0 ? createRetryBudget({ ratio: config.SOPHIA_ROUTER_HEDGE_BUDGET_RATIO, maxTokens: 5 }) : undefined,
    policy,
    overrides,
    capacity: capacity ? () => capacity.current() : undefined,
    tokenMix: ledger ? createLedgerTokenMix({ ledger, logger }) : undefined,
    headroom: ledger
      ? createLedgerBudgetHeadroom({ ledger, logger, ttlMs: config.SOPHIA_BUDGET_HEADROOM_TTL_MS, timeoutMs: config.SOPHIA_BUDGET_HEADROOM_TIMEOUT_MS })
      : undefined,
    audit: ledger
      ? (entry) =>
          void ledger.appendAudit(entry, { timeoutMs: 2000 }).catch((err: unknown) => {
            logger.error({ err: (err as Error).message, audit: entry.action, subject: entry.subject }, 'ledger audit append failed: the audit log line stands');
          })
      : undefined,
  }), breakerHistory, historyFailed);
  return {
    services: [serviceRegistration(RouterService, handler)],
    close: async () => {
      breakers.shutdown();
      capacity?.close();
      closeCatalog();
      closePolicy();
      durable?.close();
      await closeOverrides();
      state.close();
    },
  };
});

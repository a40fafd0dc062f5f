// Runs the GPU fleet inside gpu-inference: the Lambda Cloud client, the durable store, the policy
// file (reloaded on change), the controller ticking on a timer, and the glue that keeps the endpoint
// pool in step with the managed instances (in_pool → added, draining → no new requests, gone →
// removed). Without a Lambda API key the fleet is off and only static endpoints serve.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createFileWatcher } from '@sophia/platform';
import type { CatalogTier, PriceCatalog } from '@sophia/price-catalog';
import type { Registry } from 'prom-client';
import type { EndpointLease, EndpointPool } from '../../endpoint-pool.ts';
import type { CloudClient } from '../cloud-client.ts';
import { createFleetController, type FleetController, type FleetMode } from '../fleet-controller.ts';
import { parseFleetPolicy } from '../fleet-policy.ts';
import { fleetPoolsFromCatalog, type FleetPool } from '../fleet-pool.ts';
import { lambdaApiKey } from '../lambda/lambda-api-key.ts';
import { createLambdaCloudClient } from '../lambda/lambda-cloud-client.ts';
import { DEFAULT_FLEET_POLICY_PATH } from '../load-fleet-policy.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import { createVllmProbe } from '../vllm-probe.ts';
import { vllmUserData } from '../vllm-user-data.ts';
import { createCapacityWaiter } from './capacity-waiter.ts';
import { createFleetMetrics } from './fleet-metrics.ts';
import { createLedgerDemandFeed, type LedgerUsageReader } from './ledger-demand-feed.ts';
import { createSignalBoard, type SignalBoard } from './signal-board.ts';

/** Parsed fleet keys (fleetConfigShape). */
export interface FleetConfig {
  readonly SOPHIA_GPU_FLEET: FleetMode;
  readonly SOPHIA_LAMBDA_API_URL: string;
  readonly SOPHIA_LAMBDA_API_KEY?: string | undefined;
  readonly SOPHIA_LAMBDA_API_KEY_FILE?: string | undefined;
  readonly SOPHIA_GPU_FLEET_POLICY_PATH?: string | undefined;
  readonly SOPHIA_GPU_MAX_HOURLY_USD?: number | undefined;
  readonly SOPHIA_GPU_MAX_INSTANCES?: number | undefined;
  readonly SOPHIA_GPU_FLEET_INTERVAL_MS: number;
  readonly SOPHIA_GPU_FLEET_SSH_KEY: string;
  readonly SOPHIA_GPU_FLEET_BOOT_WAIT_MS: number;
}

/** Logging the fleet does (pino-compatible). */
export interface FleetLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Options for startFleet. */
export interface StartFleetOptions {
  readonly config: FleetConfig;
  readonly catalog: PriceCatalog;
  readonly pool: EndpointPool;
  readonly store: FleetStore;
  readonly registry: Registry;
  readonly logger: FleetLogger;
  /** vLLM `--api-key` of the managed instances, if any. */
  readonly vllmApiKey?: string;
  /** Injected for tests. @default the Lambda client from the config */
  readonly cloud?: CloudClient;
  /** The ledger, whose serverless usage completes the demand break-even and prewarm compare (unset: GPU traffic only). */
  readonly ledger?: LedgerUsageReader;
}

/** A running fleet. */
export interface RunningFleet {
  readonly mode: FleetMode;
  readonly controller: FleetController;
  readonly pools: readonly FleetPool[];
  readonly signals: SignalBoard;
  readonly limits: { readonly maxInstances: number; readonly maxMicroUsdPerHour: number };
  /** Demand seen by the GPU backend for a catalog model (served or not). */
  observe(modelId: string, demand: { requests: number; promptTokens: number; completionTokens: number }): void;
  /** The handler's endpoint pick: waits for booting capacity within the request's deadline. */
  acquire(servedModel: string, signal: AbortSignal): Promise<EndpointLease>;
  /** Starts an operator drain of one instance. */
  drain(instanceId: string, why: string): Promise<void>;
  /** One controller tick now (the timer calls it; tests too). */
  tick(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the fleet; undefined when no Lambda API key is configured (fleet off). */
export async function startFleet(options: StartFleetOptions): Promise<RunningFleet | undefined> {
  const { config, logger, pool, store } = options;
  const apiKey = options.cloud ? 'injected' : lambdaApiKey({ SOPHIA_LAMBDA_API_KEY: config.SOPHIA_LAMBDA_API_KEY, SOPHIA_LAMBDA_API_KEY_FILE: config.SOPHIA_LAMBDA_API_KEY_FILE });
  if (apiKey === undefined) {
    logger.info({}, 'gpu fleet off: no SOPHIA_LAMBDA_API_KEY / SOPHIA_LAMBDA_API_KEY_FILE (static SOPHIA_GPU_BASE_URLS only)');
    return undefined;
  }
  const cloud = options.cloud ?? createLambdaCloudClient({ apiKey, baseUrl: config.SOPHIA_LAMBDA_API_URL });
  const policyWatcher = createFileWatcher(config.SOPHIA_GPU_FLEET_POLICY_PATH ?? DEFAULT_FLEET_POLICY_PATH, (text, path) => parseFleetPolicy(text, path), {
    onError: (err) => logger.warn({ err: err.message }, 'fleet policy reload failed: keeping the previous policy'),
  });
  const pools = fleetPoolsFromCatalog(options.catalog);
  const metrics = createFleetMetrics(options.registry);
  const signals = createSignalBoard();
  const gpusByType = new Map<string, number>();
  const refreshTypes = async (): Promise<void> => {
    for (const t of await cloud.listInstanceTypes()) gpusByType.set(t.name, t.specs.gpus);
  };
  await refreshTypes().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'cannot list Lambda instance types yet'));
  // One acting controller per store: replicas sharing Redis take turns through the store's lease;
  // the TTL spans a few ticks so a missed tick does not hand over, while a dead replica's lease ends soon.
  const leaseHolder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const controller = createFleetController({
    lease: { holder: leaseHolder, ttlMs: Math.max(3 * config.SOPHIA_GPU_FLEET_INTERVAL_MS, 10_000) },
    cloud,
    store,
    pools,
    policy: () => policyWatcher.current(),
    mode: config.SOPHIA_GPU_FLEET,
    now: Date.now,
    probe: createVllmProbe(options.vllmApiKey ? { apiKey: options.vllmApiKey } : {}),
    inFlight: (i) => pool.snapshot().find((ep) => ep.url === i.baseUrl)?.inFlight ?? 0,
    limits: {
      ...(config.SOPHIA_GPU_MAX_HOURLY_USD === undefined ? {} : { maxHourlyUsd: config.SOPHIA_GPU_MAX_HOURLY_USD }),
      ...(config.SOPHIA_GPU_MAX_INSTANCES === undefined ? {} : { maxInstances: config.SOPHIA_GPU_MAX_INSTANCES }),
    },
    sshKeyNames: [config.SOPHIA_GPU_FLEET_SSH_KEY],
    userData: (p, option) => vllmUserData(p, { gpus: gpusByType.get(option.instanceType) ?? 1 }),
    onAction: (entry) => {
      metrics.action(entry);
      logger.info({ fleet: entry }, `gpu fleet ${entry.action}${entry.tier ? ` ${entry.tier}` : ''}: ${entry.detail}`);
    },
  });
  const policy = policyWatcher.current();
  const limits = {
    maxInstances: config.SOPHIA_GPU_MAX_INSTANCES ?? policy.limits.max_instances,
    maxMicroUsdPerHour: Math.round((config.SOPHIA_GPU_MAX_HOURLY_USD ?? policy.limits.max_hourly_usd) * 1e6),
  };
  // Endpoints this fleet put into the pool, by instance id; instances booting as of the last sync.
  const added = new Map<string, string>();
  let bootingNow: { id: string; launchedAt: number; tier: CatalogTier }[] = [];
  const syncPool = async (): Promise<void> => {
    const live = await store.liveInstances();
    bootingNow = live.filter((i) => i.state === 'booting').map((i) => ({ id: i.id, launchedAt: i.launchedAt, tier: i.tier }));
    const liveIds = new Set(live.map((i) => i.id));
    for (const i of live) {
      if (i.baseUrl === undefined) continue;
      if (i.state === 'in_pool' && !added.has(i.id)) {
        added.set(i.id, i.baseUrl);
        await pool.addEndpoint(i.baseUrl);
      } else if (i.state === 'draining' && added.has(i.id)) pool.drainEndpoint(i.baseUrl);
    }
    for (const [id, url] of added) {
      if (liveIds.has(id)) continue;
      pool.removeEndpoint(url);
      added.delete(id);
    }
  };
  const feed = options.ledger
    ? createLedgerDemandFeed({
        ledger: options.ledger,
        now: Date.now,
        backfillMinutes: Math.max(policy.demand_window_minutes, policy.scale_up.break_even.window_minutes),
        observe: (tier, demand, atMs) => controller.observeDemand(tier, demand, atMs),
        onError: (err) => logger.warn({ err: err.message }, 'gpu fleet: cannot read serverless usage from the ledger; break-even sees GPU traffic only until it answers'),
      })
    : undefined;
  let ticking: Promise<void> | undefined;
  let acting: boolean | undefined;
  const tickOnce = async (): Promise<void> => {
    try {
      await feed?.poll();
      const report = await controller.tick(signals.current());
      if (config.SOPHIA_GPU_FLEET === 'auto' && report.acting !== acting) {
        acting = report.acting;
        logger.info({ holder: leaseHolder, acting }, acting ? 'gpu fleet: this replica holds the fleet lease and acts' : 'gpu fleet: another replica holds the fleet lease; this one only plans');
      }
      await syncPool();
      metrics.tick(report, await store.liveInstances());
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'gpu fleet tick failed; retrying at the next interval');
    }
  };
  const tick = (): Promise<void> => (ticking ??= tickOnce().finally(() => (ticking = undefined)));
  await syncPool(); // instances from before a restart rejoin the pool
  const timer = setInterval(() => void tick(), config.SOPHIA_GPU_FLEET_INTERVAL_MS);
  timer.unref();
  const tierOf = new Map(options.catalog.models.map((m) => [m.id, m.tier] as const));
  const servedTier = new Map<string, CatalogTier>(pools.map((p) => [p.servedModel, p.tier]));
  logger.info({ mode: config.SOPHIA_GPU_FLEET, cloud: config.SOPHIA_LAMBDA_API_URL, pools: pools.map((p) => `${p.tier}:${p.instanceOptions.map((o) => o.instanceType).join('|')}`), limits, serverlessDemand: feed ? 'ledger' : 'none (no ledger)' }, 'gpu fleet started');
  return {
    mode: config.SOPHIA_GPU_FLEET,
    controller,
    pools,
    signals,
    limits,
    observe(modelId, demand) {
      const tier = tierOf.get(modelId) ?? servedTier.get(modelId);
      if (tier !== undefined) controller.observeDemand(tier, demand);
    },
    acquire: createCapacityWaiter({
      pool,
      maxWaitMs: config.SOPHIA_GPU_FLEET_BOOT_WAIT_MS,
      booting: (servedModel) => {
        const tier = servedTier.get(servedModel);
        return tier === undefined ? [] : bootingNow.filter((b) => b.tier === tier);
      },
    }),
    async drain(instanceId, why) {
      const instance = await store.getInstance(instanceId);
      if (instance === undefined || instance.state === 'terminated') return;
      await store.putInstance({ ...instance, state: 'draining', drainingSince: Date.now() });
      await store.appendAudit({ at: Date.now(), action: 'drain', tier: instance.tier, instanceId, detail: why });
      if (instance.baseUrl) pool.drainEndpoint(instance.baseUrl);
    },
    tick,
    async close() {
      clearInterval(timer);
      policyWatcher.close();
      await ticking;
      await controller.release().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'gpu fleet: could not release the fleet lease; it expires on its own'));
    },
  };
}

// Replays a demand trace minute by minute through the real FleetController and policy on a virtual
// clock. Each minute: the controller ticks (seeing the serverless breaker of that minute and the
// demand of the minutes before), instances that finished booting join the pool, then the minute's
// requests are routed the way the mesh routes them — to GPU capacity already paid for first, the
// rest serverless while it is up; while it is down they queue for GPU capacity and are unserved
// once their deadline passes.
import type { CatalogTier, PriceCatalog } from '@sophia/price-catalog';
import { createFleetController } from '../fleet-controller.ts';
import type { FleetPolicy } from '../fleet-policy.ts';
import { fleetPoolsFromCatalog, instanceThroughput, serverlessMicroUsd, type FleetPool } from '../fleet-pool.ts';
import { createMemoryFleetStore } from '../store/memory-fleet-store.ts';
import type { DemandTrace } from './demand-trace.ts';
import { alwaysOnUsd, DEFAULT_BASELINE_USD_PER_MONTH, type SimulationResult } from './simulation-result.ts';
import { TierQueue } from './tier-queue.ts';
import { createVirtualCloud } from './virtual-cloud.ts';

/** Options for replayTrace. */
export interface ReplayOptions {
  readonly catalog: PriceCatalog;
  readonly policy: FleetPolicy;
  /** Real boot delay of the virtual cloud (launch → vLLM serving). @default 5 */
  readonly bootMinutes?: number;
  /** How long a request may wait for capacity. @default 60 */
  readonly deadlineSeconds?: number;
  /** @default 6444 */
  readonly baselineUsdPerMonth?: number;
  /** Called with the controller's audit entries (for `--audit`). */
  readonly onAction?: (line: string) => void;
}

const MINUTE_MS = 60_000;

/** Runs the trace through the controller and returns the contract's figures (unrounded). */
export async function replayTrace(trace: DemandTrace, options: ReplayOptions): Promise<SimulationResult> {
  const pools = fleetPoolsFromCatalog(options.catalog);
  let nowMs = trace.firstMinute * MINUTE_MS;
  const now = (): number => nowMs;
  const types = new Map(options.catalog.gpuInstances.map((g) => [g.name, { priceCentsPerHour: Math.round(g.microUsdPerHour / 10_000), gpus: 1 }]));
  const cloud = createVirtualCloud({ now, bootMs: (options.bootMinutes ?? 5) * MINUTE_MS, types });
  const queues = new Map<CatalogTier, TierQueue>(pools.map((p) => [p.tier, new TierQueue()]));
  const servingCount = new Map<CatalogTier, number>();
  // Output tok/min the serving instances of a tier carry, each at its own type's throughput.
  const servingTokens = new Map<CatalogTier, number>();
  const controller = createFleetController({
    cloud,
    store: createMemoryFleetStore(),
    pools,
    policy: () => options.policy,
    mode: 'auto',
    now,
    probe: (instance) => {
      const pool = pools.find((p) => p.tier === instance.tier);
      const ready = cloud.isReady(instance.id);
      const serving = Math.max(1, servingCount.get(instance.tier) ?? 0);
      return Promise.resolve({ healthy: ready, models: ready && pool ? [pool.servedModel] : [], waiting: (queues.get(instance.tier)?.waitingRequests ?? 0) / serving });
    },
    sshKeyNames: ['fleet-sim'],
    userData: () => '',
    ...(options.onAction ? { onAction: (e) => options.onAction?.(`${new Date(e.at).toISOString()} ${e.action} ${e.tier ?? ''} ${e.instanceId ?? ''} ${e.detail}`) } : {}),
  });
  const maxWaitMinutes = Math.floor((options.deadlineSeconds ?? 60) / 60);
  const serverlessUp = new Map<CatalogTier, boolean>();
  let serverlessMicro = 0;
  let allServerlessMicro = 0;
  let requests = 0;
  let unserved = 0;
  const poolOf = (tier: CatalogTier): FleetPool | undefined => pools.find((p) => p.tier === tier);

  for (let minute = trace.firstMinute; minute < trace.endMinute; minute++) {
    nowMs = minute * MINUTE_MS;
    const lines = trace.byMinute.get(minute);
    for (const [tier, line] of lines ?? []) serverlessUp.set(tier, line.serverless_up);
    const open = new Set([...serverlessUp].filter(([, up]) => !up).map(([tier]) => tier));
    await controller.tick({ serverlessBreakerOpen: open, gpuOverride: new Set() });
    const serving = await controller.servingInstances();
    servingCount.clear();
    servingTokens.clear();
    for (const i of serving) {
      servingCount.set(i.tier, (servingCount.get(i.tier) ?? 0) + 1);
      const pool = poolOf(i.tier);
      servingTokens.set(i.tier, (servingTokens.get(i.tier) ?? 0) + (pool ? instanceThroughput(pool, i.instanceType) : 0));
    }

    for (const tier of ['simple', 'balanced', 'complex'] as const) {
      const line = lines?.get(tier);
      const pool = poolOf(tier);
      const demand = { requests: line?.requests ?? 0, promptTokens: line?.prompt_tokens ?? 0, completionTokens: line?.completion_tokens ?? 0 };
      requests += demand.requests;
      if (line !== undefined) {
        allServerlessMicro += pool ? serverlessMicroUsd(pool, demand.promptTokens, demand.completionTokens) : 0;
        controller.observeDemand(tier, demand);
      }
      const capacity = servingTokens.get(tier) ?? 0;
      const queue = queues.get(tier) ?? new TierQueue();
      if (serverlessUp.get(tier) ?? true) {
        // Serverless is back: whatever still waits goes there too; GPU capacity already paid for is used first.
        const waiting = queue.drain();
        const all = waiting.reduce(
          (s, e) => ({ requests: s.requests + e.requests, promptTokens: s.promptTokens + e.promptTokens, completionTokens: s.completionTokens + e.completionTokens }),
          demand,
        );
        const onGpu = all.completionTokens === 0 ? 0 : Math.min(1, capacity / all.completionTokens);
        if (pool) serverlessMicro += serverlessMicroUsd(pool, all.promptTokens * (1 - onGpu), all.completionTokens * (1 - onGpu));
        else if (line) unserved += all.requests; // no pool and no price: cannot happen with a valid catalog
      } else {
        queue.push({ minute, ...demand });
        unserved += queue.serve(minute, capacity, maxWaitMinutes).expiredRequests;
      }
    }
  }
  // Requests still queued when the trace ends were never served.
  for (const q of queues.values()) unserved += q.drain().reduce((s, e) => s + e.requests, 0);
  const endMs = trace.endMinute * MINUTE_MS;
  const invoice = cloud.invoice(endMs);
  const gpuUsd = invoice.microUsd / 1e6;
  const serverlessUsd = serverlessMicro / 1e6;
  return {
    total_usd: gpuUsd + serverlessUsd,
    serverless_usd: serverlessUsd,
    gpu_usd: gpuUsd,
    gpu_instance_hours: invoice.instanceMinutes / 60,
    always_on_usd: alwaysOnUsd(options.baselineUsdPerMonth ?? DEFAULT_BASELINE_USD_PER_MONTH, trace.endMinute - trace.firstMinute),
    all_serverless_usd: allServerlessMicro / 1e6,
    requests,
    unserved_requests: unserved,
  };
}

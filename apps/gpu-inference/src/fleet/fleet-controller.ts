// The fleet controller: each tick compares what the policy wants per pool with what exists and
// closes the gap — launches (the instance type that carries the load cheapest; next region, then
// next type, on a capacity failure), readiness checks (vLLM /health and
// /v1/models), replacement of unhealthy instances, draining and termination — within hard caps on
// instance count and hourly spend. Every action is audited. Clock, cloud, probe and store are
// injected, so the same code runs the service and the offline simulation on a virtual clock.
import type { CatalogTier } from '@sophia/price-catalog';
import type { CloudClient, CloudInstance } from './cloud-client.ts';
import { createCooldownMemory } from './cooldown-memory.ts';
import { createDemandWindow, type DemandWindow, type MinuteDemand } from './demand-window.ts';
import { desiredCapacity, instancesOf, type CapacityDecision } from './desired-capacity.ts';
import { cooldownMinutes, poolBounds, type FleetPolicy } from './fleet-policy.ts';
import { instanceThroughput, poolWithOption, type FleetInstanceOption, type FleetPool } from './fleet-pool.ts';
import { chooseInstanceOption } from './instance-choice.ts';
import { launchInstance } from './instance-launcher.ts';
import { createWeeklyProfile } from './weekly-profile.ts';
import { nextLaunch, type ShortPoolDemand } from './launch-priority.ts';
import type { FleetAuditEntry, FleetInstance, FleetStore } from './store/fleet-store.ts';

/** `plan` computes and reports actions without touching the cloud; `auto` applies them. */
export type FleetMode = 'plan' | 'auto';

/** What one readiness/health probe of an instance found. */
export interface ProbeResult {
  readonly healthy: boolean;
  /** Models from /v1/models. */
  readonly models: readonly string[];
  /** vllm:num_requests_waiting. */
  readonly waiting: number;
  readonly error?: string;
}

/** Signals from outside the fleet (the router's breakers and overrides), per tier. */
export interface ExternalSignals {
  readonly serverlessBreakerOpen: ReadonlySet<CatalogTier>;
  readonly gpuOverride: ReadonlySet<CatalogTier>;
}

/** Options for createFleetController. */
export interface FleetControllerOptions {
  readonly cloud: CloudClient;
  readonly store: FleetStore;
  readonly pools: readonly FleetPool[];
  /** The current policy (a watcher's `current`, so reloads apply at the next tick). */
  readonly policy: () => FleetPolicy;
  readonly mode: FleetMode;
  /** Epoch milliseconds (virtual in the simulation). */
  readonly now: () => number;
  /** Health, models and queue of an instance with an address. */
  readonly probe: (instance: FleetInstance) => Promise<ProbeResult>;
  /** Requests of ours in flight on an instance (draining ends at 0). @default () => 0 */
  readonly inFlight?: (instance: FleetInstance) => number;
  /** Hard caps overriding the policy's (SOPHIA_GPU_MAX_INSTANCES / SOPHIA_GPU_MAX_HOURLY_USD). */
  readonly limits?: { readonly maxInstances?: number; readonly maxHourlyUsd?: number };
  readonly sshKeyNames: readonly string[];
  /** cloud-init starting vLLM with the pool's model on an instance of the option's type. */
  readonly userData: (pool: FleetPool, option: FleetInstanceOption) => string;
  /** Instance names start with it; other instances with it are reported as orphans. @default "sophia-fleet" */
  readonly namePrefix?: string;
  /** @default 8000 */
  readonly vllmPort?: number;
  /** Consecutive failed probes before an instance in the pool is replaced. @default 3 */
  readonly maxFailedProbes?: number;
  /** A drain longer than this terminates anyway. @default 120000 */
  readonly drainTimeoutMs?: number;
  /** Called after each audited action (metrics). */
  readonly onAction?: (entry: FleetAuditEntry) => void;
  /**
   * With several replicas on one store, only the holder of the store's lease acts in `auto` mode; the
   * others plan (and take over when the lease is released or expires). Unset: this controller always acts.
   */
  readonly lease?: { readonly holder: string; readonly ttlMs: number };
}

/** One pool's state after a tick. */
export interface PoolReport {
  readonly tier: CatalogTier;
  readonly decision: CapacityDecision;
  /** Desired after cool-down. */
  readonly target: number;
  readonly booting: number;
  readonly inPool: number;
  readonly draining: number;
}

/** What a tick saw and did. */
export interface FleetTickReport {
  readonly pools: readonly PoolReport[];
  /** Actions taken (auto) or that would be taken (plan). */
  readonly actions: readonly FleetAuditEntry[];
  readonly orphans: readonly CloudInstance[];
  /** Whether this controller applied its actions (auto mode and, with a lease, its holder). */
  readonly acting: boolean;
}

/** The controller; `tick` is not re-entrant (callers await it). */
export interface FleetController {
  /** Demand seen for a tier (served or not), counted in the minute of `atMs` (default: now). */
  observeDemand(tier: CatalogTier, demand: MinuteDemand, atMs?: number): void;
  tick(signals: ExternalSignals): Promise<FleetTickReport>;
  /** Managed instances serving now, per tier (what the endpoint pool routes to). */
  servingInstances(): Promise<FleetInstance[]>;
  /** Boot time used for planning: the policy's estimate or the longest boot seen, whichever is larger. */
  bootMinutes(): number;
  /** An operator asks for at least `count` instances in a tier's pool until `untilMs` (kept in the store). */
  hold(tier: CatalogTier, count: number, untilMs: number): Promise<void>;
  /** Gives up the lease, if held, so another replica takes over at its next tick. */
  release(): Promise<void>;
  /** The last tick's report (undefined before the first tick). */
  lastReport(): FleetTickReport | undefined;
}

/** A pool short of its target this tick (what it misses shrinks as launches for it succeed). */
interface ShortPool extends ShortPoolDemand {
  missingTokensPerMinute: number;
  readonly why: string;
  readonly carries: (instance: FleetInstance) => number;
}

const MINUTE_MS = 60_000;
/** Capacity sums are whole tokens per minute; this absorbs float error when comparing them. */
const CAPACITY_EPSILON = 1e-6;

/** Creates a FleetController over injected cloud, store, probe and clock. */
export function createFleetController(options: FleetControllerOptions): FleetController {
  const prefix = options.namePrefix ?? 'sophia-fleet';
  const maxFailedProbes = options.maxFailedProbes ?? 3;
  const drainTimeoutMs = options.drainTimeoutMs ?? 120_000;
  const inFlight = options.inFlight ?? (() => 0);
  const windows = new Map<CatalogTier, DemandWindow>();
  const cooldown = createCooldownMemory();
  const weekly = createWeeklyProfile(options.store);
  const reportedOrphans = new Set<string>();
  const waiting = new Map<string, number>();
  // Per tier: since when the mean queue per serving instance has been above the threshold.
  const queueHighSince = new Map<CatalogTier, number>();
  let observedBootMinutes = 0;
  let launchSeq = 0;
  let lastPlan = '';
  let last: FleetTickReport | undefined;

  const windowOf = (tier: CatalogTier): DemandWindow => {
    let w = windows.get(tier);
    if (w === undefined) {
      const policy = options.policy();
      w = createDemandWindow(Math.max(policy.demand_window_minutes, policy.scale_up.break_even.window_minutes) + 1);
      windows.set(tier, w);
    }
    return w;
  };
  const bootMinutes = (): number => Math.max(options.policy().expected_boot_minutes, observedBootMinutes);
  const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS);

  return {
    observeDemand(tier, demand, atMs) {
      windowOf(tier).record(minuteOf(atMs ?? options.now()), demand);
    },
    bootMinutes,
    hold: (tier, count, untilMs) => options.store.putHold({ tier, count, untilMs }),
    release: () => (options.lease === undefined ? Promise.resolve() : options.store.releaseLease(options.lease.holder)),
    lastReport: () => last,
    async servingInstances() {
      return (await options.store.liveInstances()).filter((i) => i.state === 'in_pool');
    },
    async tick(signals) {
      const now = options.now();
      const policy = options.policy();
      const apply = options.mode === 'auto' && (options.lease === undefined || (await options.store.tryLease(options.lease.holder, now, options.lease.ttlMs)));
      const actions: FleetAuditEntry[] = [];
      const audit = async (entry: Omit<FleetAuditEntry, 'at'>): Promise<void> => {
        const full = { at: now, ...entry };
        actions.push(full);
        if (!apply) return;
        await options.store.appendAudit(full);
        options.onAction?.(full);
      };
      const put = (instance: FleetInstance): Promise<void> => (apply ? options.store.putInstance(instance) : Promise.resolve());
      const terminate = async (instance: FleetInstance, action: 'terminate' | 'replace', detail: string): Promise<void> => {
        if (apply) {
          try {
            await options.cloud.terminate([instance.id]);
          } catch (err) {
            await audit({ action: 'terminate_failed', tier: instance.tier, instanceId: instance.id, detail: (err as Error).message });
            return;
          }
        }
        await put({ ...instance, state: 'terminated', terminatedAt: now });
        await audit({ action, tier: instance.tier, instanceId: instance.id, instanceType: instance.instanceType, region: instance.region, detail });
      };

      // 1. Reconcile the store with the cloud; report ours-by-name that the store does not know.
      let live = await options.store.liveInstances();
      const orphans: CloudInstance[] = [];
      let cloudInstances: CloudInstance[] | undefined;
      try {
        cloudInstances = await options.cloud.listInstances();
      } catch (err) {
        await audit({ action: 'planned', detail: `cannot list instances: ${(err as Error).message}; keeping the last known state` });
      }
      if (cloudInstances !== undefined) {
        const byId = new Map(cloudInstances.map((c) => [c.id, c]));
        const known = new Set(live.map((i) => i.id));
        for (const c of cloudInstances) {
          if (c.name.startsWith(`${prefix}-`) && !known.has(c.id) && c.status !== 'terminated' && c.status !== 'terminating') {
            orphans.push(c);
            if (!reportedOrphans.has(c.id)) {
              reportedOrphans.add(c.id);
              await audit({ action: 'orphan', instanceId: c.id, instanceType: c.instanceType, region: c.region, detail: `instance ${c.name} is named as ours but unknown to the fleet; left running for an operator` });
            }
          }
        }
        for (const instance of live) {
          const c = byId.get(instance.id);
          if (c === undefined || c.status === 'terminated' || c.status === 'terminating') {
            await put({ ...instance, state: 'terminated', terminatedAt: now });
            await audit({ action: 'terminate', tier: instance.tier, instanceId: instance.id, detail: 'terminated outside the fleet' });
          } else if ((c.vllmUrl ?? c.ip) !== undefined && instance.baseUrl === undefined) {
            await put({ ...instance, baseUrl: c.vllmUrl ?? `http://${c.ip}:${options.vllmPort ?? 8000}` });
          } else if (c.status === 'unhealthy' && instance.state !== 'draining') {
            await terminate(instance, 'replace', 'the cloud reports the instance unhealthy');
          }
        }
        live = await options.store.liveInstances();
      }

      // 2. Readiness and health: booting → in_pool when /health and /v1/models answer with the pool's model.
      const bootTimeoutMs = Math.max(3 * bootMinutes(), 20) * MINUTE_MS;
      for (const instance of live) {
        const pool = options.pools.find((p) => p.tier === instance.tier);
        if (pool === undefined || instance.state === 'draining' || instance.state === 'terminated') continue;
        if (instance.baseUrl === undefined) {
          if (instance.state === 'booting' && now - instance.launchedAt > bootTimeoutMs) await terminate(instance, 'replace', 'no address before the boot timeout');
          continue;
        }
        const result = await options.probe(instance).catch((err: unknown): ProbeResult => ({ healthy: false, models: [], waiting: 0, error: String(err) }));
        const ok = result.healthy && result.models.includes(pool.servedModel);
        waiting.set(instance.id, ok ? result.waiting : 0);
        if (instance.state === 'booting') {
          if (ok) {
            observedBootMinutes = Math.max(observedBootMinutes, (now - instance.launchedAt) / MINUTE_MS);
            await put({ ...instance, state: 'in_pool', readyAt: now, failedProbes: 0 });
            await audit({ action: 'ready', tier: instance.tier, instanceId: instance.id, detail: `serving ${pool.servedModel} after ${Math.round((now - instance.launchedAt) / 1000)} s` });
          } else if (now - instance.launchedAt > bootTimeoutMs) {
            await terminate(instance, 'replace', `not ready after ${Math.round(bootTimeoutMs / MINUTE_MS)} min: ${result.error ?? 'model not served'}`);
          }
        } else if (ok) {
          if (instance.failedProbes > 0) await put({ ...instance, failedProbes: 0 });
        } else if (instance.failedProbes + 1 >= maxFailedProbes) {
          await terminate(instance, 'replace', `unhealthy for ${maxFailedProbes} probes: ${result.error ?? 'model not served'}`);
        } else {
          await put({ ...instance, failedProbes: instance.failedProbes + 1, lastError: result.error ?? 'model not served' });
        }
      }
      live = apply ? await options.store.liveInstances() : live;

      // 3. Decide per pool; drain what no target needs; then launch, one allocator across the pools.
      const minute = minuteOf(now);
      const boot = bootMinutes();
      const maxInstances = options.limits?.maxInstances ?? policy.limits.max_instances;
      const maxMicroUsdPerHour = Math.round((options.limits?.maxHourlyUsd ?? policy.limits.max_hourly_usd) * 1_000_000);
      const reports: PoolReport[] = [];
      const holds = await options.store.activeHolds(now);
      const short: ShortPool[] = [];
      for (const catalogPool of options.pools) {
        const mine = live.filter((i) => i.tier === catalogPool.tier);
        const serving = mine.filter((i) => i.state === 'in_pool');
        const booting = mine.filter((i) => i.state === 'booting');
        const window = windowOf(catalogPool.tier);
        const be = policy.scale_up.break_even;
        const peak = window.peak(minute + 1, policy.demand_window_minutes);
        // This tick sizes and launches with the type that carries the recent peak cheapest; live
        // instances count by what each one's type carries, so a mixed pool is sized right.
        const pool = poolWithOption(catalogPool, chooseInstanceOption(policy, catalogPool, peak.completionTokensPerMinute));
        const carries = (i: FleetInstance): number => instanceThroughput(catalogPool, i.instanceType);
        const unit = pool.outputTokPerMinute;
        let servingTokens = serving.reduce((sum, i) => sum + carries(i), 0);
        let liveTokens = servingTokens + booting.reduce((sum, i) => sum + carries(i), 0);
        await weekly.addSettled(catalogPool.tier, window, minute);
        const forecast = policy.prewarm.enabled ? await weekly.forecast(catalogPool.tier, minute, Math.ceil(boot), be.window_minutes, policy.prewarm.min_history_weeks) : undefined;
        const meanWaiting = serving.length === 0 ? 0 : serving.reduce((s, i) => s + (waiting.get(i.id) ?? 0), 0) / serving.length;
        if (meanWaiting > policy.scale_up.queue_waiting_per_instance_above) queueHighSince.set(pool.tier, queueHighSince.get(pool.tier) ?? now);
        else queueHighSince.delete(pool.tier);
        const highSince = queueHighSince.get(pool.tier);
        let decision = desiredCapacity(policy, pool, poolBounds(policy, pool.tier), {
          serverlessBreakerOpen: signals.serverlessBreakerOpen.has(pool.tier),
          gpuOverride: signals.gpuOverride.has(pool.tier),
          liveInstances: liveTokens / unit,
          bootingInstances: booting.length,
          // Counted inclusively (a queue seen at this tick and the previous one is 2 ticks' minutes old).
          queueHighMinutes: highSince === undefined ? 0 : (now - highSince) / MINUTE_MS + 1,
          peak,
          sustained: window.mean(minute + 1, be.window_minutes),
          ...(forecast ? { forecast } : {}),
        });
        const held = holds.find((h) => h.tier === pool.tier);
        if (held !== undefined && held.count > decision.desired) decision = { desired: held.count, capacity: held.count * unit, reasons: ['operator'] };
        // The cool-down holds capacity (output tok/min), not a count, so it survives a change of type.
        // Fractional minutes: a cool-down shorter than a minute (the simulated cloud's demo policy) still holds.
        const targetTokens = cooldown.hold(pool.tier, now / MINUTE_MS, decision.capacity, cooldownMinutes(policy, boot));
        const target = instancesOf(targetTokens, unit);
        const why = `${decision.reasons.join('+') || 'idle'}: desired ${decision.desired}, target ${target}, live ${serving.length + booting.length}`;
        // Newest first (booting before serving), each one whose capacity the target does not need; a
        // serving instance only when serving capacity alone still meets the target (never given up
        // for capacity that is still booting).
        const surplus: FleetInstance[] = [];
        for (const instance of [...booting.slice().reverse(), ...serving.slice().reverse()]) {
          const c = carries(instance);
          if (liveTokens - c < targetTokens - CAPACITY_EPSILON) continue;
          if (instance.state === 'in_pool') {
            if (servingTokens - c < targetTokens - CAPACITY_EPSILON) continue;
            servingTokens -= c;
          }
          surplus.push(instance);
          liveTokens -= c;
        }
        for (const instance of surplus) {
          if (instance.state === 'booting') await terminate(instance, 'terminate', `not needed any more (${why})`);
          else {
            await put({ ...instance, state: 'draining', drainingSince: now });
            await audit({ action: 'drain', tier: pool.tier, instanceId: instance.id, detail: why });
          }
        }
        if (liveTokens < targetTokens - CAPACITY_EPSILON) {
          // Requests per completion token of the tier's recent traffic: what an instance's tokens are worth in requests.
          const recent = window.mean(minute + 1, policy.demand_window_minutes);
          const requestsPerToken = recent.completionTokensPerMinute > 0 ? recent.requestsPerMinute / recent.completionTokensPerMinute : 0;
          short.push({ pool: catalogPool, why, missingTokensPerMinute: targetTokens - liveTokens, requestsPerToken, carries });
        }
        reports.push({ tier: pool.tier, decision, target, booting: booting.length, inPool: serving.length, draining: mine.filter((i) => i.state === 'draining').length });
      }

      // 4. Draining instances end when their requests are done (or the drain times out): before any
      // launch, so a slot they free under the caps is there for the pools that are short.
      for (const instance of apply ? await options.store.liveInstances() : []) {
        if (instance.state !== 'draining') continue;
        const since = instance.drainingSince ?? now;
        if (inFlight(instance) === 0 || now - since >= drainTimeoutMs) await terminate(instance, 'terminate', inFlight(instance) === 0 ? 'drained' : 'drain timed out');
      }

      // 5. Launches, one allocator across the pools (launch-priority.ts): while the caps hold what every
      // short pool asks for, each launch is the type covering what its pool still misses cheapest (a
      // small top-up is one cheap instance; live instances stay); when they do not, each slot goes to
      // the pool and type carrying the most requests per share of the headroom.
      let fleet = apply ? await options.store.liveInstances() : live;
      let planned = 0;
      let plannedMicroUsd = 0;
      for (;;) {
        const headroom = {
          instances: maxInstances - fleet.length - planned,
          microUsdPerHour: maxMicroUsdPerHour - fleet.reduce((sum, i) => sum + i.microUsdPerHour, 0) - plannedMicroUsd,
        };
        const pick = nextLaunch(policy, short, headroom);
        if (pick === undefined) break;
        const next = pick.short;
        const launchPool = poolWithOption(next.pool, pick.option);
        // A pool whose launch is capped or fails tries again next tick, not in this one.
        const stop = (): void => {
          short.splice(short.indexOf(next), 1);
        };
        const added = (tokens: number): void => {
          next.missingTokensPerMinute -= tokens;
          if (next.missingTokensPerMinute <= CAPACITY_EPSILON) stop();
        };
        if (!apply) {
          if (!(await fitsCaps(live, launchPool, launchPool, next.why, planned, plannedMicroUsd))) {
            stop();
            continue;
          }
          await audit({ action: 'planned', tier: next.pool.tier, instanceType: launchPool.instanceType, detail: `would launch: ${next.why}` });
          added(launchPool.outputTokPerMinute);
          planned += 1;
          plannedMicroUsd += launchPool.microUsdPerHour;
          continue;
        }
        const launched = await launchInstance(launchPool, next.why, {
          cloud: options.cloud,
          now,
          sshKeyNames: options.sshKeyNames,
          nextName: () => `${prefix}-${next.pool.tier}-${now.toString(36)}-${(launchSeq++).toString(36)}`,
          userData: options.userData,
          fitsCaps: async (option) => fitsCaps(await options.store.liveInstances(), option, launchPool, next.why),
          audit,
          record: (instance) => options.store.putInstance(instance),
        });
        if (launched === undefined) stop();
        else added(next.carries(launched));
        fleet = await options.store.liveInstances();
      }
      if (!apply) {
        const plan = JSON.stringify(actions.map((a) => [a.action, a.tier, a.detail]));
        if (plan !== lastPlan) {
          lastPlan = plan;
          for (const a of actions) options.onAction?.(a);
        }
      }
      last = { pools: reports, actions, orphans, acting: apply };
      return last;

      async function fitsCaps(all: readonly FleetInstance[], option: { readonly instanceType: string; readonly microUsdPerHour: number }, pool: FleetPool, why: string, plannedCount = 0, plannedMicroUsd = 0): Promise<boolean> {
        const count = all.length + plannedCount;
        const spend = all.reduce((sum, i) => sum + i.microUsdPerHour, 0) + plannedMicroUsd;
        if (count + 1 <= maxInstances && spend + option.microUsdPerHour <= maxMicroUsdPerHour) return true;
        await audit({ action: 'capped', tier: pool.tier, instanceType: option.instanceType, detail: `${why}; cap ${maxInstances} instances / $${maxMicroUsdPerHour / 1e6}/h reached (now ${count}, $${spend / 1e6}/h)` });
        return false;
      }
    },
  };
}

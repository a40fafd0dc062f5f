// FleetService (proto/sophia/inference/v1/fleet.proto) over the running fleet: the operator API's
// gpu.list / gpu.launch / gpu.terminate. Errors name the field or instance in the caller's terms.
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { FleetMode, GpuInstanceState, type FleetService } from '@sophia/contracts/fleet';
import { tierFromProto, tierToProto } from '@sophia/price-catalog';
import type { FleetController, FleetMode as Mode } from '../fleet-controller.ts';
import type { FleetPool } from '../fleet-pool.ts';
import type { FleetInstanceState, FleetStore } from '../store/fleet-store.ts';

/** What the handler needs from the fleet runtime. */
export interface FleetServiceDeps {
  readonly mode: Mode;
  readonly controller: FleetController;
  readonly store: FleetStore;
  readonly pools: readonly FleetPool[];
  readonly limits: { readonly maxInstances: number; readonly maxMicroUsdPerHour: number };
  readonly now?: () => number;
  /** Starts a drain of one instance now (the runtime's job: pool + controller). */
  readonly drain: (instanceId: string, why: string) => Promise<void>;
}

const STATE: Record<FleetInstanceState, GpuInstanceState> = {
  booting: GpuInstanceState.BOOTING,
  in_pool: GpuInstanceState.IN_POOL,
  draining: GpuInstanceState.DRAINING,
  terminated: GpuInstanceState.TERMINATED,
};

/** The FleetService implementation. */
export function createFleetServiceHandler(deps: FleetServiceDeps): ServiceImpl<typeof FleetService> {
  const now = deps.now ?? Date.now;
  return {
    async listGpuInstances() {
      const report = deps.controller.lastReport();
      return {
        mode: deps.mode === 'auto' ? FleetMode.AUTO : FleetMode.PLAN,
        instances: (await deps.store.liveInstances()).map((i) => ({
          id: i.id,
          name: i.name,
          tier: tierToProto(i.tier),
          instanceType: i.instanceType,
          region: i.region,
          state: STATE[i.state],
          microUsdPerHour: BigInt(i.microUsdPerHour),
          launchedAt: timestampFromMs(i.launchedAt),
          ...(i.readyAt === undefined ? {} : { readyAt: timestampFromMs(i.readyAt) }),
          baseUrl: i.baseUrl ?? '',
          lastError: i.lastError ?? '',
        })),
        pools: deps.pools.map((p) => {
          const r = report?.pools.find((x) => x.tier === p.tier);
          return {
            tier: tierToProto(p.tier),
            instanceType: p.instanceType,
            servedModel: p.servedModel,
            desired: r?.decision.desired ?? 0,
            target: r?.target ?? 0,
            reasons: [...(r?.decision.reasons ?? [])],
          };
        }),
        maxInstances: deps.limits.maxInstances,
        maxMicroUsdPerHour: BigInt(deps.limits.maxMicroUsdPerHour),
        orphanInstanceIds: (report?.orphans ?? []).map((o) => o.id),
      };
    },
    async launchGpuInstance(request) {
      const tier = tierFromProto(request.tier);
      if (tier === undefined) throw new ConnectError('tier: must be simple, balanced or complex', Code.InvalidArgument);
      if (!deps.pools.some((p) => p.tier === tier)) throw new ConnectError(`tier: no GPU model in the catalog serves tier ${tier}`, Code.FailedPrecondition);
      if (deps.mode !== 'auto') throw new ConnectError('the GPU fleet only plans (SOPHIA_GPU_FLEET=plan): set SOPHIA_GPU_FLEET=auto to launch instances', Code.FailedPrecondition);
      if (request.holdMinutes > 24 * 60) throw new ConnectError('hold_minutes: at most 1440', Code.InvalidArgument);
      const live = (await deps.store.liveInstances()).filter((i) => i.tier === tier && i.state !== 'draining').length;
      const target = Math.max(live, deps.controller.lastReport()?.pools.find((p) => p.tier === tier)?.target ?? 0) + 1;
      const until = now() + (request.holdMinutes || 60) * 60_000;
      await deps.controller.hold(tier, target, until);
      await deps.store.appendAudit({ at: now(), action: 'planned', tier, detail: `operator ${request.requestedBy || 'unknown'} holds ${target} instance(s) until ${new Date(until).toISOString()}: ${request.reason}` });
      return { target, holdUntil: timestampFromMs(until) };
    },
    async terminateGpuInstance(request) {
      if (request.instanceId === '') throw new ConnectError('instance_id: required', Code.InvalidArgument);
      const instance = await deps.store.getInstance(request.instanceId);
      if (instance === undefined || instance.state === 'terminated') throw new ConnectError(`instance_id: no live managed instance ${request.instanceId}`, Code.NotFound);
      if (deps.mode !== 'auto') throw new ConnectError('the GPU fleet only plans (SOPHIA_GPU_FLEET=plan): set SOPHIA_GPU_FLEET=auto to terminate instances', Code.FailedPrecondition);
      await deps.drain(instance.id, `operator ${request.requestedBy || 'unknown'}: ${request.reason}`);
      const pool = deps.controller.lastReport()?.pools.find((p) => p.tier === instance.tier);
      const live = (await deps.store.liveInstances()).filter((i) => i.tier === instance.tier && i.state !== 'draining').length;
      const replaced = (pool?.target ?? 0) > live;
      return { willBeReplaced: replaced, reasons: replaced ? [...(pool?.decision.reasons ?? [])] : [] };
    },
    async listFleetActions(request) {
      const limit = request.limit === 0 ? 50 : request.limit;
      if (limit > 1000) throw new ConnectError('limit: at most 1000', Code.InvalidArgument);
      return {
        actions: (await deps.store.recentAudit(limit)).map((a) => ({
          at: timestampFromMs(a.at),
          action: a.action,
          tier: a.tier ? tierToProto(a.tier) : 0,
          instanceId: a.instanceId ?? '',
          instanceType: a.instanceType ?? '',
          region: a.region ?? '',
          detail: a.detail,
        })),
      };
    },
  };
}

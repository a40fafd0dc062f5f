import type { Client } from '@connectrpc/connect';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Tier } from '@sophia/contracts/common';
import { FleetMode, GpuInstanceState, type FleetService } from '@sophia/contracts/fleet';
import type { FleetOperations, FleetView } from './fleet-operations.ts';

const TIERS: Readonly<Record<number, string>> = { [Tier.SIMPLE]: 'simple', [Tier.BALANCED]: 'balanced', [Tier.COMPLEX]: 'complex' };
const TIER_TO_PROTO: Readonly<Record<string, Tier>> = { simple: Tier.SIMPLE, balanced: Tier.BALANCED, complex: Tier.COMPLEX };
const STATES: Readonly<Record<number, string>> = { [GpuInstanceState.BOOTING]: 'booting', [GpuInstanceState.IN_POOL]: 'in_pool', [GpuInstanceState.DRAINING]: 'draining', [GpuInstanceState.TERMINATED]: 'terminated' };
const MODES: Readonly<Record<number, FleetView['mode']>> = { [FleetMode.PLAN]: 'plan', [FleetMode.AUTO]: 'auto', [FleetMode.OFF]: 'off' };

/** FleetOperations over gpu-inference's FleetService (which audits its own actions too). */
export function createFleetServiceOperations(fleet: Client<typeof FleetService>, timeoutMs: number): FleetOperations {
  const opts = { timeoutMs };
  return {
    async view() {
      const res = await fleet.listGpuInstances({}, opts);
      const price = (type: string): number | undefined => {
        const i = res.instances.find((x) => x.instanceType === type);
        return i ? Number(i.microUsdPerHour) / 1e6 : undefined;
      };
      return {
        mode: MODES[res.mode] ?? 'unspecified',
        instances: res.instances.map((i) => ({
          id: i.id,
          instanceType: i.instanceType,
          tier: TIERS[i.tier] ?? 'unspecified',
          state: STATES[i.state] ?? 'unspecified',
          region: i.region,
          usdPerHour: Number(i.microUsdPerHour) / 1e6,
          launchedAt: i.launchedAt ? timestampDate(i.launchedAt).toISOString() : null,
        })),
        pools: res.pools.map((p) => ({ tier: TIERS[p.tier] ?? 'unspecified', instanceType: p.instanceType, usdPerHour: price(p.instanceType) })),
      };
    },
    async launch(tier, count, actor, reason) {
      let last = { target: 0, holdUntil: null as string | null };
      for (let i = 0; i < count; i++) {
        const res = await fleet.launchGpuInstance({ tier: TIER_TO_PROTO[tier] ?? Tier.UNSPECIFIED, holdMinutes: 0, requestedBy: actor, reason }, opts);
        last = { target: res.target, holdUntil: res.holdUntil ? timestampDate(res.holdUntil).toISOString() : null };
      }
      return last;
    },
    async terminate(ids, actor, reason) {
      const out: Array<{ id: string; willBeReplaced: boolean }> = [];
      for (const id of ids) out.push({ id, willBeReplaced: (await fleet.terminateGpuInstance({ instanceId: id, requestedBy: actor, reason }, opts)).willBeReplaced });
      return out;
    },
  };
}

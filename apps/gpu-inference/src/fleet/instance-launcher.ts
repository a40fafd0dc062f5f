// Launching one instance for a pool: the catalog's instance type in every region that reports
// capacity, then each alternate type the catalog lists for the same model, in order. Lambda answers a
// launch one instance at a time and often has no capacity for the type asked, so a capacity error
// moves on (next region, then next type) while any other error stops the attempt: a bad key, a quota
// or a malformed request would fail the same way everywhere. Every failed try is audited.
import { CloudError, type CloudClient } from './cloud-client.ts';
import type { FleetInstanceOption, FleetPool } from './fleet-pool.ts';
import type { FleetAuditEntry, FleetInstance } from './store/fleet-store.ts';

/** What a launch needs besides the pool. */
export interface LaunchContext {
  readonly cloud: CloudClient;
  readonly now: number;
  readonly sshKeyNames: readonly string[];
  /** Instance name for the next launch (unique; starts with the fleet's prefix). */
  readonly nextName: () => string;
  /** cloud-init for the pool's model on an instance of this type. */
  readonly userData: (pool: FleetPool, option: FleetInstanceOption) => string;
  /** Whether one more instance of this type fits under the fleet's caps (audits `capped` itself when not). */
  readonly fitsCaps: (option: FleetInstanceOption) => Promise<boolean>;
  readonly audit: (entry: Omit<FleetAuditEntry, 'at'>) => Promise<void>;
  /** Records the new instance durably (before its launch is audited, so a crash leaves no unknown instance). */
  readonly record: (instance: FleetInstance) => Promise<void>;
}

/** The launched instance's record (state `booting`), or undefined when no type and region could launch. */
export async function launchInstance(pool: FleetPool, why: string, ctx: LaunchContext): Promise<FleetInstance | undefined> {
  let capacity: ReadonlyMap<string, readonly string[]>;
  try {
    capacity = new Map((await ctx.cloud.listInstanceTypes()).map((t) => [t.name, t.regionsWithCapacity] as const));
  } catch (err) {
    await ctx.audit({ action: 'launch_failed', tier: pool.tier, instanceType: pool.instanceType, detail: `cannot list instance types: ${(err as Error).message}` });
    return undefined;
  }
  const tried: string[] = [];
  for (const [index, option] of pool.instanceOptions.entries()) {
    const regions = capacity.get(option.instanceType) ?? [];
    const fallback = index > 0 ? ` (fallback: ${tried.join(', ')} had no capacity)` : '';
    tried.push(option.instanceType);
    if (regions.length === 0) continue;
    if (!(await ctx.fitsCaps(option))) return undefined;
    for (const region of regions) {
      const name = ctx.nextName();
      try {
        const id = await ctx.cloud.launch({ instanceType: option.instanceType, region, name, sshKeyNames: ctx.sshKeyNames, userData: ctx.userData(pool, option) });
        const instance: FleetInstance = { id, name, tier: pool.tier, instanceType: option.instanceType, region, microUsdPerHour: option.microUsdPerHour, state: 'booting', launchedAt: ctx.now, failedProbes: 0 };
        await ctx.record(instance);
        await ctx.audit({ action: 'launch', tier: pool.tier, instanceId: id, instanceType: option.instanceType, region, detail: `${why}${fallback}` });
        return instance;
      } catch (err) {
        const noCapacity = err instanceof CloudError && err.kind === 'insufficient_capacity';
        await ctx.audit({ action: 'launch_failed', tier: pool.tier, instanceType: option.instanceType, region, detail: `${(err as Error).message}${noCapacity ? '; trying the next region or instance type' : ''}` });
        if (!noCapacity) return undefined;
      }
    }
  }
  await ctx.audit({ action: 'launch_failed', tier: pool.tier, instanceType: pool.instanceType, detail: `no region has capacity for ${tried.join(' or ')}` });
  return undefined;
}

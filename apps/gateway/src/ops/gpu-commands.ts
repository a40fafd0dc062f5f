import { Code, ConnectError } from '@connectrpc/connect';
import type { CommandResult } from '@sophia/contracts/ops';
import type { CommandArgs } from '@sophia/ops-interpreter';
import { actorOf, hasScope, type Caller } from '../api-key-scopes.ts';
import { commandResult, formatUsd } from './command-result.ts';
import { fleetNotConfigured, type FleetOperations, type FleetView } from './fleet-operations.ts';
import type { OperatorContext } from './operator-context.ts';

// gpu.list / gpu.launch / gpu.terminate over the GPU fleet (gpu-inference's FleetService).

async function fleetOf(ctx: OperatorContext): Promise<{ fleet: FleetOperations; view: FleetView }> {
  if (!ctx.fleet) throw fleetNotConfigured();
  const view = await ctx.fleet.view();
  return { fleet: ctx.fleet, view };
}

/** gpu.list: the fleet's instances (any tenant with ops:read: instances are shared infrastructure). */
export async function listGpuInstances(ctx: OperatorContext, args: CommandArgs<'gpu.list'>): Promise<CommandResult> {
  const { view } = await fleetOf(ctx);
  const shown = view.instances.filter((i) => (args.instance_type === undefined || i.instanceType === args.instance_type) && (args.instance_id === undefined || i.id === args.instance_id));
  const hourly = shown.reduce((s, i) => s + i.usdPerHour, 0);
  return commandResult(
    `${shown.length} GPU instance${shown.length === 1 ? '' : 's'} (fleet mode ${view.mode}), ${formatUsd(hourly)}/hour — ${formatUsd(hourly * 730)}/month if left running.`,
    ['id', 'instance_type', 'tier', 'state', 'region', 'usd_per_hour', 'launched_at'],
    shown.map((i) => [i.id, i.instanceType, i.tier, i.state, i.region, i.usdPerHour, i.launchedAt]),
  );
}

/** The pool a launch grows: the one serving `instance_type`, else the first; INVALID_ARGUMENT naming the type when none serves it. */
function poolFor(view: FleetView, instanceType: string | undefined): FleetView['pools'][number] {
  const pool = instanceType === undefined ? view.pools[0] : view.pools.find((p) => p.instanceType === instanceType);
  if (!pool) {
    throw new ConnectError(
      instanceType === undefined ? 'the fleet has no GPU pool to grow' : `instance_type: no GPU pool runs ${instanceType} (pools: ${view.pools.map((p) => `${p.tier}=${p.instanceType}`).join(', ') || 'none'})`,
      Code.InvalidArgument,
    );
  }
  return pool;
}

function requireWritable(caller: Caller, view: FleetView): void {
  if (!hasScope(caller, 'admin')) throw new ConnectError('the GPU fleet affects every tenant: this API key lacks scope admin', Code.PermissionDenied);
  if (view.mode === 'off') throw fleetNotConfigured('the fleet is off (no Lambda Cloud API key)');
  if (view.mode === 'plan') throw new ConnectError('the GPU fleet is in plan mode (it recommends, it does not launch or terminate): start gpu-inference with SOPHIA_GPU_FLEET=auto to let it act', Code.FailedPrecondition);
}

/** What gpu.launch / gpu.terminate would do, checked against the fleet now. */
export async function planGpuChange(ctx: OperatorContext, caller: Caller, intent: 'gpu.launch' | 'gpu.terminate', args: CommandArgs<'gpu.launch'>): Promise<{ summary: string; costEffect: string; monthlyCostDeltaUsd?: number }> {
  const { view } = await fleetOf(ctx);
  requireWritable(caller, view);
  const count = args.count ?? 1;
  if (intent === 'gpu.launch') {
    const pool = poolFor(view, args.instance_type);
    const hourly = pool.usdPerHour;
    return {
      summary: `Launch ${count} more ${pool.instanceType} instance${count === 1 ? '' : 's'} for the ${pool.tier} pool (held at least 60 minutes; fleet mode ${view.mode}).`,
      costEffect: hourly === undefined ? `billed per hour at the ${pool.instanceType} price while running` : `≈ +${formatUsd(hourly * count)}/hour while running (+${formatUsd(hourly * count * 730)}/month if kept)`,
      ...(hourly !== undefined ? { monthlyCostDeltaUsd: hourly * count * 730 } : {}),
    };
  }
  const targets = terminateTargets(view, args);
  const hourly = targets.reduce((s, i) => s + i.usdPerHour, 0);
  return { summary: `Terminate ${targets.map((i) => `${i.id} (${i.instanceType}, ${i.state})`).join(', ')} — drained first.`, costEffect: `≈ -${formatUsd(hourly)}/hour (-${formatUsd(hourly * 730)}/month) unless the autoscaler replaces them`, monthlyCostDeltaUsd: -hourly * 730 };
}

function terminateTargets(view: FleetView, args: CommandArgs<'gpu.terminate'>): FleetView['instances'] {
  const live = view.instances.filter((i) => i.state !== 'terminated');
  if (args.instance_id !== undefined) {
    const one = live.find((i) => i.id === args.instance_id);
    if (!one) throw new ConnectError(`instance_id: no running GPU instance ${args.instance_id}`, Code.NotFound);
    return [one];
  }
  const pool = live.filter((i) => args.instance_type === undefined || i.instanceType === args.instance_type);
  const count = args.count ?? 1;
  if (pool.length < count) throw new ConnectError(`count: ${count} instance(s) to terminate but ${pool.length} running${args.instance_type ? ` of type ${args.instance_type}` : ''}`, Code.FailedPrecondition);
  // Newest first: the instances most likely still booting or least loaded.
  return [...pool].sort((a, b) => (b.launchedAt ?? '').localeCompare(a.launchedAt ?? '')).slice(0, count);
}

/** Applies a confirmed gpu.launch / gpu.terminate. */
export async function applyGpuChange(ctx: OperatorContext, caller: Caller, intent: 'gpu.launch' | 'gpu.terminate', args: CommandArgs<'gpu.launch'>, planId: string): Promise<CommandResult> {
  const { fleet, view } = await fleetOf(ctx);
  requireWritable(caller, view);
  const reason = `operator plan ${planId}`;
  if (intent === 'gpu.launch') {
    const pool = poolFor(view, args.instance_type);
    const res = await fleet.launch(pool.tier, args.count ?? 1, actorOf(caller), reason);
    return commandResult(`The ${pool.tier} pool now targets ${res.target} ${pool.instanceType} instance(s)${res.holdUntil ? `, held until ${res.holdUntil}` : ''}.`, ['tier', 'instance_type', 'target', 'hold_until'], [[pool.tier, pool.instanceType, res.target, res.holdUntil]]);
  }
  const done = await fleet.terminate(terminateTargets(view, args).map((i) => i.id), actorOf(caller), reason);
  return commandResult(`Terminating ${done.length} instance(s) (drained first).`, ['id', 'will_be_replaced'], done.map((d) => [d.id, d.willBeReplaced]));
}

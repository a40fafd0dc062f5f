import { Code, ConnectError } from '@connectrpc/connect';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Backend } from '@sophia/contracts/common';
import { BudgetWindow } from '@sophia/contracts/ledger';
import type { CommandResult } from '@sophia/contracts/ops';
import { OverrideKind, OverrideScope, type Override, type OverrideSchema } from '@sophia/contracts/router';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { parseDate, WRITE_INTENTS, zonedDayStartMs, type Command, type CommandArgs } from '@sophia/ops-interpreter';
import { actorOf, hasScope, tenantInScope, type Caller } from '../api-key-scopes.ts';
import { backendUnitCosts, type BackendUnitCosts, type TrafficSlice } from './backend-unit-costs.ts';
import { commandResult, formatUsd, microUsd, usd } from './command-result.ts';
import { applyGpuChange, planGpuChange } from './gpu-commands.ts';
import { applyRateLimits, planRateLimits } from './rate-limit-commands.ts';
import type { OperatorContext } from './operator-context.ts';
import { describeOverride, ledgerOf, visibleOverrides } from './read-commands.ts';

/** A write command's plan before it is stored: what changes and what it is expected to cost. */
export interface PlannedChange {
  readonly summary: string;
  readonly costEffect: string;
  readonly monthlyCostDeltaUsd?: number | undefined;
}

/** A write command, typed. */
export type WriteCommand = Extract<Command, { intent: 'route.next' | 'route.pin' | 'traffic.split' | 'overrides.clear' | 'budget.set' | 'ratelimits.set' | 'gpu.launch' | 'gpu.terminate' }>;

const needAdmin = (caller: Caller, what: string): void => {
  if (!hasScope(caller, 'admin')) throw new ConnectError(`${what} affects every tenant: this API key lacks scope admin`, Code.PermissionDenied);
};
const missing = (field: string, what: string): ConnectError => new ConnectError(`${field}: required (${what})`, Code.InvalidArgument);
const BACKEND = { gpu: Backend.GPU, serverless: Backend.SERVERLESS } as const;

/** "until" as epoch ms: a date is the start of that day in the budget time zone. */
function untilMs(ctx: OperatorContext, until: string | undefined): number | undefined {
  if (until === undefined) return undefined;
  const date = parseDate(until);
  return date ? zonedDayStartMs(date, ctx.timeZone) : Date.parse(until);
}

/** The override a route command sets, with the slice of traffic it moves (for the estimate). */
function routeOverride(ctx: OperatorContext, caller: Caller, command: Extract<WriteCommand, { intent: 'route.next' | 'route.pin' }>): { override: MessageInitShape<typeof OverrideSchema>; slice: TrafficSlice; who: string } {
  const backend = command.args.backend;
  if (backend === undefined) throw missing('backend', 'gpu or serverless');
  if (command.intent === 'route.next') {
    const args = command.args;
    if (args.n === undefined) throw missing('n', 'how many requests');
    // A tenant's key steers its own requests; only an admin steers everyone's.
    const global = hasScope(caller, 'admin');
    return {
      override: { kind: OverrideKind.BACKEND, scope: global ? OverrideScope.GLOBAL : OverrideScope.TENANT, scopeValue: global ? '' : caller.tenant, backend: BACKEND[backend], remaining: args.n },
      slice: global ? {} : { tenant: caller.tenant },
      who: global ? 'requests' : `requests of tenant ${caller.tenant}`,
    };
  }
  const pin = command.args;
  const expires = untilMs(ctx, pin.until);
  const base = { kind: OverrideKind.BACKEND, backend: BACKEND[backend], ...(expires !== undefined ? { expiresAt: timestampFromMs(expires) } : {}) };
  if (pin.tier !== undefined) {
    needAdmin(caller, `pinning the ${pin.tier} tier`);
    return { override: { ...base, scope: OverrideScope.TIER, scopeValue: pin.tier }, slice: { tier: pin.tier }, who: `${pin.tier} requests` };
  }
  if (pin.workload !== undefined) {
    needAdmin(caller, `pinning workload ${pin.workload}`);
    return { override: { ...base, scope: OverrideScope.WORKLOAD, scopeValue: pin.workload }, slice: { workload: pin.workload }, who: `workload ${pin.workload}` };
  }
  if (pin.tenant !== undefined) {
    const tenant = tenantInScope(caller, pin.tenant)!;
    return { override: { ...base, scope: OverrideScope.TENANT, scopeValue: tenant }, slice: { tenant }, who: `tenant ${tenant}` };
  }
  throw missing('tier', 'or workload or tenant: which traffic to pin');
}

/** "≈ +$1.20" with the per-request figures behind it, or why there is no estimate. */
function routeEffect(costs: BackendUnitCosts, backend: 'gpu' | 'serverless', requests: number, over: string): { text: string; delta?: number } {
  const target = costs.perRequest[backend];
  const now = costs.perRequest.all;
  if (target === undefined || now === undefined) return { text: `no estimate: no ${target === undefined ? backend : ''} requests of this traffic in the last ${costs.days} days to price from` };
  const delta = requests * (target - now);
  return { text: `≈ ${delta >= 0 ? '+' : ''}${formatUsd(delta)} ${over} (${backend} ${formatUsd(target)}/request vs ${formatUsd(now)} now, last ${costs.days} days)`, delta };
}

/**
 * What a write would do, checked (scope, tenant, preconditions) and priced from measured usage —
 * without changing anything.
 */
export async function planChange(ctx: OperatorContext, caller: Caller, command: WriteCommand): Promise<PlannedChange> {
  ledgerOf(ctx); // every applied change is audited there
  switch (command.intent) {
    case 'route.next':
    case 'route.pin': {
      const { override, slice, who } = routeOverride(ctx, caller, command);
      const backend = command.args.backend!;
      const costs = await backendUnitCosts(ctx, slice);
      if (command.intent === 'route.next') {
        const n = command.args.n ?? 0;
        const effect = routeEffect(costs, backend, n, `over the next ${n} requests`);
        return { summary: `Route the next ${n} ${who} to ${backend} first (the other backend stays the fallback).`, costEffect: effect.text };
      }
      const effect = routeEffect(costs, backend, costs.monthlyRequests, 'per month at the last week\'s volume');
      const until = override.expiresAt ? ` until ${new Date(untilMs(ctx, command.args.until)!).toISOString()}` : ' until cleared';
      return { summary: `Pin ${who} to ${backend}${until}.`, costEffect: effect.text, monthlyCostDeltaUsd: effect.delta };
    }
    case 'traffic.split': {
      needAdmin(caller, 'a traffic split');
      const pct = command.args.serverless_percent;
      if (pct === undefined) throw missing('serverless_percent', 'the share of traffic for serverless, 0–100');
      const costs = await backendUnitCosts(ctx, {});
      const gpuNow = costs.requests.total > 0 ? costs.requests.gpu / costs.requests.total : 0;
      const gpuNext = (100 - pct) / 100;
      const { serverless, gpu } = costs.perRequest;
      const delta = serverless !== undefined && gpu !== undefined ? costs.monthlyRequests * (gpuNext - gpuNow) * (gpu - serverless) : undefined;
      return {
        summary: `Split traffic ${pct}% serverless / ${100 - pct}% GPU (now ${Math.round((1 - gpuNow) * 100)}% / ${Math.round(gpuNow * 100)}%), replacing any earlier split.`,
        costEffect: delta === undefined ? `no estimate: both backends need traffic in the last ${costs.days} days to compare` : `≈ ${delta >= 0 ? '+' : ''}${formatUsd(delta)} per month at the last week's volume`,
        monthlyCostDeltaUsd: delta,
      };
    }
    case 'overrides.clear': {
      const targets = await clearTargets(ctx, caller, command.args.id);
      if (targets.length === 0) return { summary: 'No routing override is active: confirming changes nothing.', costEffect: 'none (routing already follows the policy)' };
      return { summary: `Clear ${targets.length} override${targets.length === 1 ? '' : 's'}: ${targets.map((o) => `${o.id} (${describeOverride(o)})`).join('; ')}.`, costEffect: 'traffic returns to the routing policy' };
    }
    case 'budget.set': {
      const tenant = tenantInScope(caller, command.args.tenant)!;
      if (command.args.amount_usd === undefined) throw missing('amount_usd', 'the new limit in dollars');
      const window = command.args.window ?? 'monthly';
      const status = await ledgerOf(ctx).budgetStatus({ tenant }, { timeoutMs: ctx.callTimeoutMs });
      const current = status.budgets.find((b) => b.window === (window === 'daily' ? BudgetWindow.DAY : BudgetWindow.MONTH) && !b.scope?.apiKey && !b.scope?.model);
      const was = current?.limit ? formatUsd(usd(current.limit)) : 'no limit';
      return {
        summary: `Set tenant ${tenant}'s ${window} budget to ${formatUsd(command.args.amount_usd)} (was ${was}; ${formatUsd(usd(current?.spent))} spent this ${window === 'daily' ? 'day' : 'month'}).`,
        costEffect: `spend of tenant ${tenant} is capped at ${formatUsd(command.args.amount_usd)} per ${window === 'daily' ? 'day' : 'month'}; requests over it are refused`,
      };
    }
    case 'ratelimits.set':
      return planRateLimits(ctx, caller, command.args);
    case 'gpu.launch':
    case 'gpu.terminate':
      return planGpuChange(ctx, caller, command.intent, command.args);
  }
}

/** The overrides an overrides.clear removes: one by id, or every one the caller may clear. */
async function clearTargets(ctx: OperatorContext, caller: Caller, id: string | undefined): Promise<Override[]> {
  const res = await ctx.router.listOverrides({}, { timeoutMs: ctx.callTimeoutMs });
  const mine = visibleOverrides(caller, res.overrides, true);
  if (id === undefined) return mine;
  const one = mine.find((o) => o.id === id);
  if (!one) throw new ConnectError(`id: no override ${id} in force that this API key may clear`, Code.NotFound);
  return [one];
}

/** Makes the change a confirmed plan describes; returns what was done. */
export async function applyChange(ctx: OperatorContext, caller: Caller, command: WriteCommand, planId: string): Promise<CommandResult> {
  const opts = { timeoutMs: ctx.callTimeoutMs };
  const reason = `operator plan ${planId}`;
  switch (command.intent) {
    case 'route.next':
    case 'route.pin': {
      const { override } = routeOverride(ctx, caller, command);
      const res = await ctx.router.setOverride({ override: { ...override, createdBy: actorOf(caller), reason } }, opts);
      const o = res.override!;
      return commandResult(`Override ${o.id} set: ${describeOverride(o)}.`, ['override_id'], [[o.id]]);
    }
    case 'traffic.split': {
      const existing = (await ctx.router.listOverrides({}, opts)).overrides.filter((o) => o.kind === OverrideKind.SPLIT && o.scope === OverrideScope.GLOBAL);
      const res = await ctx.router.setOverride({ override: { kind: OverrideKind.SPLIT, scope: OverrideScope.GLOBAL, gpuShare: (100 - command.args.serverless_percent!) / 100, createdBy: actorOf(caller), reason } }, opts);
      for (const o of existing) await ctx.router.clearOverride({ id: o.id, clearedBy: actorOf(caller), reason: `replaced by ${res.override!.id} (${reason})` }, opts);
      return commandResult(`Traffic split set (override ${res.override!.id}: ${describeOverride(res.override!)}).`, ['override_id', 'replaced'], [[res.override!.id, existing.map((o) => o.id).join(',')]]);
    }
    case 'overrides.clear': {
      const targets = await clearTargets(ctx, caller, command.args.id);
      const rows: Array<[string, boolean]> = [];
      for (const o of targets) rows.push([o.id, (await ctx.router.clearOverride({ id: o.id, clearedBy: actorOf(caller), reason }, opts)).cleared]);
      return commandResult(`Cleared ${rows.filter(([, c]) => c).length} of ${rows.length} override(s).`, ['override_id', 'cleared'], rows);
    }
    case 'budget.set': {
      const tenant = tenantInScope(caller, command.args.tenant)!;
      const window = command.args.window === 'daily' ? BudgetWindow.DAY : BudgetWindow.MONTH;
      const res = await ledgerOf(ctx).setBudget({ scope: { tenant }, window, limit: { microUsd: microUsd(command.args.amount_usd!) }, actor: actorOf(caller), reason }, opts);
      return commandResult(
        `Tenant ${tenant}'s ${command.args.window ?? 'monthly'} budget is ${formatUsd(command.args.amount_usd!)} (was ${res.previousLimit ? formatUsd(usd(res.previousLimit)) : 'no limit'}).`,
        ['tenant', 'window', 'limit_usd', 'previous_limit_usd'],
        [[tenant, command.args.window ?? 'monthly', command.args.amount_usd!, res.previousLimit ? usd(res.previousLimit) : null]],
      );
    }
    case 'ratelimits.set':
      return applyRateLimits(ctx, caller, command.args);
    case 'gpu.launch':
    case 'gpu.terminate':
      return applyGpuChange(ctx, caller, command.intent, command.args, planId);
  }
}

/** Narrows a command to a write command. */
export function isWriteCommand(command: Command): command is WriteCommand {
  return WRITE_INTENTS.has(command.intent);
}

/** Args of a write, for callers that build one by hand. */
export type WriteArgs<I extends WriteCommand['intent']> = CommandArgs<I>;

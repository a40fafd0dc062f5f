import { Code, ConnectError } from '@connectrpc/connect';
import { timestampDate, timestampFromMs, type Timestamp } from '@bufbuild/protobuf/wkt';
import { Backend, Tier } from '@sophia/contracts/common';
import { BudgetWindow, Dimension, type LedgerService } from '@sophia/contracts/ledger';
import type { CommandResult } from '@sophia/contracts/ops';
import { BreakerState, OverrideKind, OverrideScope, type Override } from '@sophia/contracts/router';
import { parseDate, zonedDayStartMs, type CommandArgs } from '@sophia/ops-interpreter';
import type { Client } from '@connectrpc/connect';
import { tenantInScope, type Caller } from '../api-key-scopes.ts';
import { commandResult, formatUsd, usd, type Cell } from './command-result.ts';
import type { OperatorContext } from './operator-context.ts';

/** The ledger, or FAILED_PRECONDITION saying the gateway was started without one. */
export function ledgerOf(ctx: OperatorContext): Client<typeof LedgerService> {
  if (!ctx.ledger) throw new ConnectError('usage, savings, budgets and the audit trail are not available: the gateway has no ledger (SOPHIA_LEDGER_ADDR)', Code.FailedPrecondition);
  return ctx.ledger;
}

/** A report period as ledger timestamps: dates are days in the budget time zone, `to` exclusive. */
export function periodTimestamps(ctx: OperatorContext, args: { from?: string | undefined; to?: string | undefined }): { start?: Timestamp; end?: Timestamp } {
  const at = (d: string | undefined): Timestamp | undefined => {
    const date = d === undefined ? undefined : parseDate(d);
    return date ? timestampFromMs(zonedDayStartMs(date, ctx.timeZone)) : undefined;
  };
  const start = at(args.from);
  const end = at(args.to);
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

const DIMENSIONS: Readonly<Record<string, Dimension>> = {
  model: Dimension.MODEL,
  tenant: Dimension.TENANT,
  backend: Dimension.BACKEND,
  tier: Dimension.TIER,
  day: Dimension.DAY,
  workload: Dimension.WORKLOAD_TAG,
};

const periodText = (args: { from?: string | undefined; to?: string | undefined }): string =>
  args.from || args.to ? `${args.from ?? 'the beginning'} … ${args.to ? `before ${args.to}` : 'now'}` : 'all time';

const call = (ctx: OperatorContext) => ({ timeoutMs: ctx.callTimeoutMs });

/**
 * usage.report: the ledger's usage report, grouped as asked; a workload or backend filter groups by
 * that dimension first and keeps only its rows (the ledger filters by tenant only).
 */
export async function usageReport(ctx: OperatorContext, caller: Caller, args: CommandArgs<'usage.report'>): Promise<CommandResult> {
  const tenant = tenantInScope(caller, args.tenant, { everyoneForAdmin: true });
  const groups = (args.group_by?.split(',') ?? []).filter((g) => g !== '');
  const filters: Array<{ dim: string; value: string }> = [];
  if (args.workload !== undefined) filters.push({ dim: 'workload', value: args.workload });
  if (args.backend !== undefined) filters.push({ dim: 'backend', value: args.backend });
  const dims = [...filters.map((f) => f.dim), ...groups];
  const res = await ledgerOf(ctx).getUsageReport({ ...periodTimestamps(ctx, args), groupBy: dims.map((d) => DIMENSIONS[d]!), tenant: tenant ?? '' }, call(ctx));
  const rows = filters.length === 0 ? res.rows : res.rows.filter((r) => filters.every((f, i) => r.keys[i] === f.value));
  const shown = rows.map((r) => ({ ...r, keys: r.keys.slice(filters.length) }));
  const requests = filters.length === 0 ? Number(res.total?.requests ?? 0n) : shown.reduce((s, r) => s + Number(r.requests), 0);
  const cost = filters.length === 0 ? usd(res.total?.cost) : shown.reduce((s, r) => s + usd(r.cost), 0);
  const who = tenant === undefined ? 'all tenants' : `tenant ${tenant}`;
  const scope = filters.map((f) => `${f.dim} ${f.value}`).join(', ');
  const summary =
    `Usage of ${who}${scope ? ` (${scope})` : ''}, ${periodText(args)}: ${requests.toLocaleString('en-US')} requests, ${formatUsd(cost)}` +
    `${requests > 0 ? ` (${formatUsd(cost / requests)} per request)` : ''}; month to date ${formatUsd(usd(res.monthToDate))}, projected ${formatUsd(usd(res.monthEndProjection))} by month end.`;
  const table: Cell[][] = shown.map((r) => [...r.keys, Number(r.requests), Number(r.promptTokens), Number(r.completionTokens), usd(r.cost), usd(r.costPerRequest), r.latencyP50Ms, r.latencyP95Ms]);
  if (groups.length === 0 && filters.length === 0 && res.total) {
    const t = res.total;
    table.push([Number(t.requests), Number(t.promptTokens), Number(t.completionTokens), usd(t.cost), usd(t.costPerRequest), t.latencyP50Ms, t.latencyP95Ms]);
  }
  return commandResult(summary, [...groups, 'requests', 'prompt_tokens', 'completion_tokens', 'cost_usd', 'cost_per_request_usd', 'latency_p50_ms', 'latency_p95_ms'], table);
}

/** " 120 answers came from the response cache, saving $0.48." — or nothing when none did. */
function cacheLine(hits: bigint, savedUsd: number): string {
  return hits === 0n ? '' : ` ${Number(hits).toLocaleString('en-US')} answer${hits === 1n ? '' : 's'} came from the response cache, saving ${formatUsd(savedUsd)}.`;
}

/** savings.report: actual spend against the GPU baseline and the other counterfactuals. */
export async function savingsReport(ctx: OperatorContext, caller: Caller, args: CommandArgs<'savings.report'> & { tenant?: string | undefined }): Promise<CommandResult> {
  const tenant = tenantInScope(caller, args.tenant, { everyoneForAdmin: true });
  const r = await ledgerOf(ctx).getSavingsReport({ ...periodTimestamps(ctx, args), tenant: tenant ?? '' }, call(ctx));
  const actual = usd(r.actual);
  const lines: Array<[string, string, number]> = [
    ['gpu', 'always-on GPU fleet', usd(r.gpuBaseline)],
    ['largest_tier', 'every request on the largest tier', usd(r.allLargestTier)],
    ['all_serverless', 'every request serverless', usd(r.allServerless)],
    ['all_gpu', 'every request on GPU (per token)', usd(r.allGpu)],
  ];
  const chosen = args.baseline === undefined ? lines : lines.filter(([k]) => k === args.baseline);
  const head = chosen[0]!;
  const saved = head[2] - actual;
  const period = `${r.start ? timestampDate(r.start).toISOString().slice(0, 10) : '…'} … ${r.end ? timestampDate(r.end).toISOString().slice(0, 16).replace('T', ' ') : 'now'}`;
  const summary = `${saved >= 0 ? 'Saved' : 'Spent'} ${formatUsd(Math.abs(saved))}${head[2] > 0 ? ` (${Math.round((Math.abs(saved) / head[2]) * 100)}%)` : ''} ${saved >= 0 ? 'against' : 'more than'} the ${head[1]}, ${period}: actual ${formatUsd(actual)} for ${Number(r.requests).toLocaleString('en-US')} requests.${cacheLine(r.cacheHits, usd(r.savingsFromCache))}`;
  return commandResult(
    summary,
    ['baseline', 'description', 'baseline_usd', 'actual_usd', 'savings_usd', 'savings_percent'],
    chosen.map(([k, d, v]) => [k, d, v, actual, v - actual, v > 0 ? Math.round(((v - actual) / v) * 1000) / 10 : null]),
  );
}

/** Whole days from `from` (or 7) to now, for the break-even look-back. */
function lookBackDays(ctx: OperatorContext, from: string | undefined): number {
  const date = from === undefined ? undefined : parseDate(from);
  if (!date) return 7;
  return Math.max(1, Math.ceil((ctx.now() - zonedDayStartMs(date, ctx.timeZone)) / 86_400_000));
}

/** costs.compare: the period's tokens priced serverless and on GPU, per workload and model, with break-even volumes. */
export async function compareCosts(ctx: OperatorContext, caller: Caller, args: CommandArgs<'costs.compare'>): Promise<CommandResult> {
  const tenant = tenantInScope(caller, undefined, { everyoneForAdmin: true });
  const ledger = ledgerOf(ctx);
  const [savings, breakEven] = await Promise.all([
    ledger.getSavingsReport({ ...periodTimestamps(ctx, args), tenant: tenant ?? '' }, call(ctx)),
    // Break-even rows cover every tenant: they price instances, which tenants share.
    ledger.getBreakEven({ days: lookBackDays(ctx, args.from) }, call(ctx)),
  ]);
  const rows = breakEven.rows.filter((r) => args.workload === undefined || r.workloadTag === args.workload);
  const serverless = usd(savings.allServerless);
  const gpu = usd(savings.allGpu);
  const cheaper = serverless <= gpu ? 'serverless' : 'GPU';
  const summary =
    `${periodText(args)}: the same tokens cost ${formatUsd(serverless)} all serverless vs ${formatUsd(gpu)} all on GPU (per token, saturated) — ${cheaper} is cheaper; ` +
    `actual ${formatUsd(usd(savings.actual))}. Dedicated instances over the last ${breakEven.days} days: ${rows.filter((r) => r.cheaper === Backend.GPU).length} of ${rows.length} workload/model pairs would be cheaper on GPU.`;
  return commandResult(
    summary,
    ['workload', 'model', 'requests', 'serverless_usd', 'gpu_usd', 'gpu_instance_type', 'gpu_instances', 'gpu_utilisation', 'cheaper', 'break_even_completion_tokens_per_day'],
    rows.map((r) => [r.workloadTag || '(none)', r.model, Number(r.requests), r.serverlessCost ? usd(r.serverlessCost) : null, r.gpuCost ? usd(r.gpuCost) : null, r.gpuInstanceType, r.gpuInstances, Math.round(r.gpuUtilisation * 1000) / 1000, r.cheaper === Backend.GPU ? 'gpu' : r.cheaper === Backend.SERVERLESS ? 'serverless' : null, Number(r.breakEvenCompletionTokensPerDay)]),
  );
}

const WINDOW_NAMES: Readonly<Record<number, string>> = { [BudgetWindow.DAY]: 'daily', [BudgetWindow.MONTH]: 'monthly' };

/** budget.show: every budget window of the tenant with its utilisation. */
export async function showBudget(ctx: OperatorContext, caller: Caller, args: CommandArgs<'budget.show'>): Promise<CommandResult> {
  const tenant = tenantInScope(caller, args.tenant)!;
  const res = await ledgerOf(ctx).budgetStatus({ tenant }, call(ctx));
  const limited = res.budgets.filter((b) => b.limit);
  const summary =
    limited.length === 0
      ? `Tenant ${tenant} has no budget limit; spent ${res.budgets.map((b) => `${formatUsd(usd(b.spent))} ${WINDOW_NAMES[b.window] === 'daily' ? 'today' : 'this month'}`).join(', ') || 'nothing yet'}.`
      : `Tenant ${tenant}: ${limited.map((b) => `${WINDOW_NAMES[b.window] ?? 'window'} ${formatUsd(usd(b.spent))} of ${formatUsd(usd(b.limit))} (${Math.round(b.utilisation * 100)}%)`).join('; ')}.`;
  return commandResult(
    summary,
    ['tenant', 'api_key', 'model', 'window', 'period', 'limit_usd', 'spent_usd', 'reserved_usd', 'utilisation', 'resets_at'],
    res.budgets.map((b) => [b.scope?.tenant ?? tenant, b.scope?.apiKey || null, b.scope?.model || null, WINDOW_NAMES[b.window] ?? 'unspecified', b.period, b.limit ? usd(b.limit) : null, usd(b.spent), usd(b.reserved), Math.round(b.utilisation * 1000) / 1000, b.resetsAt ? timestampDate(b.resetsAt).toISOString() : null]),
  );
}

const SCOPE_NAMES: Readonly<Record<number, string>> = { [OverrideScope.GLOBAL]: 'global', [OverrideScope.TENANT]: 'tenant', [OverrideScope.WORKLOAD]: 'workload', [OverrideScope.TIER]: 'tier' };
const BACKEND_NAMES: Readonly<Record<number, string>> = { [Backend.GPU]: 'gpu', [Backend.SERVERLESS]: 'serverless' };
const TIER_NAMES: Readonly<Record<number, string>> = { [Tier.SIMPLE]: 'simple', [Tier.BALANCED]: 'balanced', [Tier.COMPLEX]: 'complex' };

/** The overrides a caller may see and clear: all for admins, else its tenant's and the global ones (read-only). */
export function visibleOverrides(caller: Caller, all: readonly Override[], forWriting: boolean): Override[] {
  if (caller.scopes.has('admin')) return [...all];
  return all.filter((o) => (o.scope === OverrideScope.TENANT && o.scopeValue === caller.tenant) || (!forWriting && o.scope === OverrideScope.GLOBAL));
}

/** What an override does, in words: "backend gpu for tenant acme, 7 left, until 2026-12-10T00:00:00Z". */
export function describeOverride(o: Override): string {
  const target = o.kind === OverrideKind.TIER ? `tier ${TIER_NAMES[o.tier] ?? '?'}` : o.kind === OverrideKind.SPLIT ? `${Math.round((1 - (o.gpuShare ?? 0)) * 100)}% serverless / ${Math.round((o.gpuShare ?? 0) * 100)}% gpu` : `backend ${BACKEND_NAMES[o.backend] ?? '?'}`;
  const scope = o.scope === OverrideScope.GLOBAL ? 'every request' : `${SCOPE_NAMES[o.scope]} ${o.scopeValue}`;
  return `${target} for ${scope}${o.remaining !== undefined ? `, ${o.remaining} left` : ''}${o.expiresAt ? `, until ${timestampDate(o.expiresAt).toISOString()}` : ''}`;
}

/** overrides.list: the routing overrides in force. */
export async function listOverrides(ctx: OperatorContext, caller: Caller, args: CommandArgs<'overrides.list'>): Promise<CommandResult> {
  const res = await ctx.router.listOverrides({}, call(ctx));
  const shown = visibleOverrides(caller, res.overrides, false).filter((o) => args.id === undefined || o.id === args.id);
  const summary = shown.length === 0 ? 'No routing overrides in force.' : `${shown.length} routing override${shown.length === 1 ? '' : 's'} in force: ${shown.map((o) => `${o.id} (${describeOverride(o)})`).join('; ')}.`;
  return commandResult(
    summary,
    ['id', 'kind', 'scope', 'scope_value', 'target', 'remaining', 'expires_at', 'created_by', 'reason'],
    shown.map((o) => [o.id, o.kind === OverrideKind.TIER ? 'tier' : o.kind === OverrideKind.SPLIT ? 'split' : 'backend', SCOPE_NAMES[o.scope] ?? 'unspecified', o.scopeValue, o.kind === OverrideKind.TIER ? (TIER_NAMES[o.tier] ?? null) : o.kind === OverrideKind.SPLIT ? `gpu_share=${o.gpuShare ?? 0}` : (BACKEND_NAMES[o.backend] ?? null), o.remaining ?? null, o.expiresAt ? timestampDate(o.expiresAt).toISOString() : null, o.createdBy, o.reason]),
  );
}

const BREAKER_NAMES: Readonly<Record<number, string>> = { [BreakerState.CLOSED]: 'closed', [BreakerState.HALF_OPEN]: 'half_open', [BreakerState.OPEN]: 'open' };

/** breakers.show: every upstream target's circuit breaker on the router. */
export async function showBreakers(ctx: OperatorContext, _caller: Caller, args: CommandArgs<'breakers.show'>): Promise<CommandResult> {
  const res = await ctx.router.getBreakers({}, call(ctx));
  const shown = res.breakers.filter((b) => args.backend === undefined || b.target.startsWith(`${args.backend}:`));
  const open = shown.filter((b) => b.state !== BreakerState.CLOSED);
  const summary = shown.length === 0 ? 'No breakers yet (no upstream has been called).' : open.length === 0 ? `All ${shown.length} breakers closed.` : `${open.length} of ${shown.length} breakers not closed: ${open.map((b) => `${b.target} ${BREAKER_NAMES[b.state]}`).join(', ')}.`;
  return commandResult(
    summary,
    ['target', 'state', 'consecutive_failures', 'window_fires', 'window_failures', 'window_rejects', 'changed_at'],
    shown.map((b) => [b.target, BREAKER_NAMES[b.state] ?? 'unspecified', b.consecutiveFailures, b.windowFires, b.windowFailures, b.windowRejects, b.changedAt ? timestampDate(b.changedAt).toISOString() : null]),
  );
}

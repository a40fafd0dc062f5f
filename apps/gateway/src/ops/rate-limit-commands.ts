import { Code, ConnectError } from '@connectrpc/connect';
import type { CommandResult } from '@sophia/contracts/ops';
import type { CommandArgs } from '@sophia/ops-interpreter';
import { hasScope, tenantInScope, type Caller } from '../api-key-scopes.ts';
import { limitsFor, type RateLimits, type TenantRateLimits } from '../rate-limit/rate-limits.ts';
import type { RateLimitSource } from '../rate-limit/rate-limit-source.ts';
import { commandResult } from './command-result.ts';
import type { OperatorContext } from './operator-context.ts';
import type { PlannedChange } from './write-commands.ts';

/** The gateway's rate limits, or FAILED_PRECONDITION when this operator has none (a test wiring). */
function sourceOf(ctx: OperatorContext): RateLimitSource {
  if (!ctx.rateLimits) throw new ConnectError('rate limits are not available on this gateway', Code.FailedPrecondition);
  return ctx.rateLimits;
}

/** Rate limits protect the mesh from a tenant: a tenant's own key must not raise them. */
function requireAdmin(caller: Caller): void {
  if (!hasScope(caller, 'admin')) throw new ConnectError('changing rate limits needs scope admin (a tenant may not raise its own limits): this API key lacks it', Code.PermissionDenied);
}

/** "600 requests/min, 50000 tokens/min, 20 concurrent" or "no limit". */
export function describeLimits(l: RateLimits): string {
  const parts = [
    l.requestsPerMinute !== undefined ? `${l.requestsPerMinute} requests/min` : undefined,
    l.tokensPerMinute !== undefined ? `${l.tokensPerMinute} tokens/min` : undefined,
    l.concurrentRequests !== undefined ? `${l.concurrentRequests} concurrent` : undefined,
  ].filter((p) => p !== undefined);
  return parts.length === 0 ? 'no limit' : parts.join(', ');
}

type Source = 'override' | 'config' | 'config "*"' | 'none';

/** What is in force for a tenant and where it comes from. */
async function inForce(source: RateLimitSource, tenant: string): Promise<{ limits: TenantRateLimits; from: Source }> {
  const { config, overrides } = await source.describe();
  const override = overrides.get(tenant);
  if (override) return { limits: override, from: 'override' };
  return { limits: limitsFor(config, tenant), from: config.has(tenant) ? 'config' : config.has('*') ? 'config "*"' : 'none' };
}

/** ratelimits.show: the limits in force for the caller's tenant (an admin: any tenant, or every one with limits). */
export async function showRateLimits(ctx: OperatorContext, caller: Caller, args: CommandArgs<'ratelimits.show'>): Promise<CommandResult> {
  const source = sourceOf(ctx);
  const tenant = tenantInScope(caller, args.tenant, { everyoneForAdmin: true });
  const { config, overrides } = await source.describe();
  const tenants = tenant !== undefined ? [tenant] : [...new Set([...config.keys(), ...overrides.keys()])].sort();
  const rows: Array<[string, string, number | null, number | null, number | null, string]> = [];
  const lines: string[] = [];
  for (const t of tenants) {
    const { limits, from } = t === '*' ? { limits: config.get('*')!, from: 'config' as const } : await inForce(source, t);
    for (const [scope, l] of [['tenant', limits.tenant], ['per_key', limits.perKey]] as const) {
      rows.push([t, scope, l.requestsPerMinute ?? null, l.tokensPerMinute ?? null, l.concurrentRequests ?? null, from]);
    }
    lines.push(`${t === '*' ? 'every other tenant' : `tenant ${t}`}: ${describeLimits(limits.tenant)} in total, ${describeLimits(limits.perKey)} per key (${from})`);
  }
  const summary = tenants.length === 0 ? 'No rate limits are configured.' : `${lines.join('; ')}.`;
  return commandResult(summary, ['tenant', 'scope', 'requests_per_minute', 'tokens_per_minute', 'concurrent_requests', 'source'], rows);
}

/** The limits after a change: named fields replaced (0 lifts one), the others kept. */
function merged(current: TenantRateLimits, args: CommandArgs<'ratelimits.set'>): TenantRateLimits {
  const scope = args.scope ?? 'tenant';
  const was = scope === 'tenant' ? current.tenant : current.perKey;
  const pick = (given: number | undefined, old: number | undefined): number | undefined => (given === undefined ? old : given === 0 ? undefined : given);
  const next: RateLimits = {
    requestsPerMinute: pick(args.requests_per_minute, was.requestsPerMinute),
    tokensPerMinute: pick(args.tokens_per_minute, was.tokensPerMinute),
    concurrentRequests: pick(args.concurrent_requests, was.concurrentRequests),
  };
  return scope === 'tenant' ? { tenant: next, perKey: current.perKey } : { tenant: current.tenant, perKey: next };
}

function changeOf(ctx: OperatorContext, caller: Caller, args: CommandArgs<'ratelimits.set'>): { source: RateLimitSource; tenant: string } {
  requireAdmin(caller);
  if (args.requests_per_minute === undefined && args.tokens_per_minute === undefined && args.concurrent_requests === undefined) {
    throw new ConnectError('requests_per_minute: required (or tokens_per_minute or concurrent_requests): which limit to set', Code.InvalidArgument);
  }
  return { source: sourceOf(ctx), tenant: tenantInScope(caller, args.tenant)! };
}

/** ratelimits.set's plan: the limits before and after, checked, without changing anything. */
export async function planRateLimits(ctx: OperatorContext, caller: Caller, args: CommandArgs<'ratelimits.set'>): Promise<PlannedChange> {
  const { source, tenant } = changeOf(ctx, caller, args);
  const { limits, from } = await inForce(source, tenant);
  const next = merged(limits, args);
  const scope = args.scope ?? 'tenant';
  const before = scope === 'tenant' ? limits.tenant : limits.perKey;
  const after = scope === 'tenant' ? next.tenant : next.perKey;
  return {
    summary: `Set tenant ${tenant}'s ${scope === 'tenant' ? 'limits (all its keys together)' : 'limits per API key'} to ${describeLimits(after)} (was ${describeLimits(before)}, from ${from}).`,
    costEffect: `requests of tenant ${tenant} over the new limits get 429 with Retry-After; every gateway replica applies them within a second, and they outlast restarts`,
  };
}

/** Applies ratelimits.set: the tenant's override, merged with what is in force at confirmation. */
export async function applyRateLimits(ctx: OperatorContext, caller: Caller, args: CommandArgs<'ratelimits.set'>): Promise<CommandResult> {
  const { source, tenant } = changeOf(ctx, caller, args);
  const { limits } = await inForce(source, tenant);
  const next = merged(limits, args);
  await source.setOverride(tenant, next);
  return commandResult(
    `Tenant ${tenant}'s rate limits: ${describeLimits(next.tenant)} in total, ${describeLimits(next.perKey)} per key.`,
    ['tenant', 'scope', 'requests_per_minute', 'tokens_per_minute', 'concurrent_requests'],
    [
      [tenant, 'tenant', next.tenant.requestsPerMinute ?? null, next.tenant.tokensPerMinute ?? null, next.tenant.concurrentRequests ?? null],
      [tenant, 'per_key', next.perKey.requestsPerMinute ?? null, next.perKey.tokensPerMinute ?? null, next.perKey.concurrentRequests ?? null],
    ],
  );
}

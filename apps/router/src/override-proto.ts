import { Code, ConnectError } from '@connectrpc/connect';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampDate, timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Backend, Tier } from '@sophia/contracts/common';
import { OverrideKind, OverrideSchema, OverrideScope, type Override } from '@sophia/contracts/router';
import { backendFromProto, backendToProto, tierFromProto, tierToProto } from '@sophia/price-catalog';
import type { RoutingOverride } from './routing-override.ts';

const invalid = (field: string, message: string): ConnectError => new ConnectError(`override.${field}: ${message}`, Code.InvalidArgument);

/** 9999-12-31T23:59:59.999Z. Beyond it a Timestamp is no JavaScript date (NaN), or none a reader expects. */
const LATEST_EXPIRY_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const SCOPES = { [OverrideScope.GLOBAL]: 'global', [OverrideScope.TENANT]: 'tenant', [OverrideScope.WORKLOAD]: 'workload', [OverrideScope.TIER]: 'tier' } as const;
const SCOPE_TO_PROTO = { global: OverrideScope.GLOBAL, tenant: OverrideScope.TENANT, workload: OverrideScope.WORKLOAD, tier: OverrideScope.TIER } as const;
const KIND_TO_PROTO = { backend: OverrideKind.BACKEND, tier: OverrideKind.TIER, split: OverrideKind.SPLIT } as const;

/**
 * Validates a SetOverride request's override and turns it into the stored form, with `id` and
 * `createdAt` assigned here. Every problem names its field (INVALID_ARGUMENT).
 */
export function overrideFromProto(o: Override | undefined, id: string, now: number): RoutingOverride {
  if (!o) throw new ConnectError('override: required', Code.InvalidArgument);
  const scope = SCOPES[o.scope as keyof typeof SCOPES];
  if (!scope) throw invalid('scope', 'must be GLOBAL, TENANT, WORKLOAD or TIER');
  const scopeValue = o.scopeValue.trim();
  if (scope === 'global' && scopeValue !== '') throw invalid('scope_value', 'must be empty for scope GLOBAL');
  if (scope !== 'global' && scopeValue === '') throw invalid('scope_value', `required for scope ${scope.toUpperCase()} (the ${scope === 'tenant' ? 'tenant id' : scope === 'tier' ? 'tier: simple, balanced or complex' : 'workload tag'})`);
  if (scope === 'tier' && !['simple', 'balanced', 'complex'].includes(scopeValue)) throw invalid('scope_value', 'must be simple, balanced or complex for scope TIER');
  if (scope === 'tier' && o.kind === OverrideKind.TIER) throw invalid('scope', 'TIER scope cannot be used with kind TIER (the override would decide its own scope)');
  let gpuShare: number | undefined;
  let kind: RoutingOverride['kind'];
  let backend: RoutingOverride['backend'];
  let tier: RoutingOverride['tier'];
  if (o.kind === OverrideKind.BACKEND) {
    backend = backendFromProto(o.backend);
    if (!backend) throw invalid('backend', 'required for kind BACKEND (SERVERLESS or GPU)');
    if (o.tier !== Tier.UNSPECIFIED) throw invalid('tier', 'must be unset for kind BACKEND');
    kind = 'backend';
  } else if (o.kind === OverrideKind.TIER) {
    tier = tierFromProto(o.tier);
    if (!tier) throw invalid('tier', 'required for kind TIER (SIMPLE, BALANCED or COMPLEX)');
    if (o.backend !== Backend.UNSPECIFIED) throw invalid('backend', 'must be unset for kind TIER');
    kind = 'tier';
  } else if (o.kind === OverrideKind.SPLIT) {
    if (o.gpuShare === undefined || !(o.gpuShare >= 0 && o.gpuShare <= 1)) throw invalid('gpu_share', 'required for kind SPLIT, between 0 and 1');
    if (o.backend !== Backend.UNSPECIFIED || o.tier !== Tier.UNSPECIFIED) throw invalid(o.backend !== Backend.UNSPECIFIED ? 'backend' : 'tier', 'must be unset for kind SPLIT');
    gpuShare = o.gpuShare;
    kind = 'split';
  } else {
    throw invalid('kind', 'must be BACKEND, TIER or SPLIT');
  }
  if (kind !== 'split' && o.gpuShare !== undefined) throw invalid('gpu_share', 'must be unset unless kind is SPLIT');
  if (o.remaining !== undefined && o.remaining < 1) throw invalid('remaining', 'must be at least 1 (leave unset for unlimited)');
  const expiresAt = o.expiresAt ? timestampDate(o.expiresAt).getTime() : undefined;
  if (expiresAt !== undefined && !(expiresAt <= LATEST_EXPIRY_MS)) throw invalid('expires_at', 'must be a time before the year 10000');
  if (expiresAt !== undefined && expiresAt <= now) throw invalid('expires_at', 'must be in the future');
  if (o.createdBy.trim() === '') throw invalid('created_by', 'required (who set it, for the audit log)');
  if (o.reason.trim() === '') throw invalid('reason', 'required (why, for the audit log)');
  if (o.id !== '') throw invalid('id', 'is assigned by the router; leave it empty');
  return { id, kind, scope, scopeValue, backend, tier, ...(gpuShare !== undefined ? { gpuShare } : {}), remaining: o.remaining, expiresAt, createdBy: o.createdBy.trim(), reason: o.reason.trim(), createdAt: now };
}

/** The wire form of a stored override. */
export function overrideToProto(o: RoutingOverride): Override {
  const init: MessageInitShape<typeof OverrideSchema> = {
    id: o.id,
    kind: KIND_TO_PROTO[o.kind],
    scope: SCOPE_TO_PROTO[o.scope],
    scopeValue: o.scopeValue,
    backend: o.backend ? backendToProto(o.backend) : Backend.UNSPECIFIED,
    tier: o.tier ? tierToProto(o.tier) : Tier.UNSPECIFIED,
    createdBy: o.createdBy,
    reason: o.reason,
    createdAt: timestampFromMs(o.createdAt),
  };
  if (o.remaining !== undefined) init.remaining = o.remaining;
  if (o.gpuShare !== undefined) init.gpuShare = o.gpuShare;
  if (o.expiresAt !== undefined) init.expiresAt = timestampFromMs(o.expiresAt);
  return create(OverrideSchema, init);
}

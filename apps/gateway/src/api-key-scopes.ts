import { Code, ConnectError } from '@connectrpc/connect';

/**
 * What an API key may do. `chat` = completions (every key before scopes existed); `ops:read` =
 * operator reports; `ops:write` = operator plans and confirmations (implies ops:read); `admin` =
 * everything, on every tenant.
 */
export const SCOPES = ['chat', 'ops:read', 'ops:write', 'admin'] as const;
/** One scope. */
export type Scope = (typeof SCOPES)[number];

/** An authenticated caller: the tenant its key belongs to and what the key may do. */
export interface Caller {
  readonly tenant: string;
  readonly scopes: ReadonlySet<Scope>;
  /** A non-secret fingerprint of the key (first 12 hex digits of its SHA-256), for audit lines. */
  readonly keyId?: string;
}

/** Who acted, for the audit trail: "acme (key 3f2a91c04b7e)". */
export function actorOf(caller: Caller): string {
  return caller.keyId ? `${caller.tenant} (key ${caller.keyId})` : caller.tenant;
}

/** True when the string names a scope. */
export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Whether the caller holds `scope`, directly or through a broader one (admin ⊇ all; ops:write ⊇ ops:read). */
export function hasScope(caller: Caller, scope: Scope): boolean {
  if (caller.scopes.has(scope) || caller.scopes.has('admin')) return true;
  return scope === 'ops:read' && caller.scopes.has('ops:write');
}

/** PERMISSION_DENIED naming the missing scope, or nothing when the caller holds it. */
export function requireScope(caller: Caller, scope: Scope): void {
  if (!hasScope(caller, scope)) throw new ConnectError(`this API key lacks scope ${scope}`, Code.PermissionDenied);
}

/**
 * The tenant a request may act on: its own when it names none or its own; another only with
 * `admin` (PERMISSION_DENIED naming the tenant and the scope otherwise). `undefined` means "every
 * tenant" and is only returned to admins who named none and asked for `everyoneForAdmin`.
 */
export function tenantInScope(caller: Caller, requested: string | undefined, options: { everyoneForAdmin?: boolean } = {}): string | undefined {
  if (requested === undefined || requested === '') return hasScope(caller, 'admin') && options.everyoneForAdmin ? undefined : caller.tenant;
  if (requested === caller.tenant || hasScope(caller, 'admin')) return requested;
  throw new ConnectError(`tenant: this API key belongs to tenant ${caller.tenant} and lacks scope admin to act on tenant ${requested}`, Code.PermissionDenied);
}

/** Every scope, sorted as in {@link SCOPES}, for answers like WhoAmI. */
export function scopeList(caller: Caller): Scope[] {
  return SCOPES.filter((s) => caller.scopes.has(s));
}

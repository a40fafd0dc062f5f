import { Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import { DashboardService } from '@sophia/contracts/dashboard';
import { ChatService } from '@sophia/contracts/gateway';
import { OperatorService } from '@sophia/contracts/ops';

/** What a signed-in key may do; the gateway enforces it, the app only hides what would be refused. */
export interface Access {
  readonly tenant: string | undefined;
  /** "chat", "ops:read", "ops:write", "admin". */
  readonly scopes: ReadonlySet<string>;
  /** Models the key may name (plus "auto"); empty without scope chat. */
  readonly models: readonly string[];
}

/** Whether the access holds `scope`, directly or through a broader one (as the gateway decides). */
export function hasScope(access: Access, scope: string): boolean {
  if (access.scopes.has(scope) || access.scopes.has('admin')) return true;
  return scope === 'ops:read' && access.scopes.has('ops:write');
}

/** Resolves true when the call succeeds, false when the gateway refuses it for lack of a scope. */
async function allowed(call: Promise<unknown>): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (err) {
    if (ConnectError.from(err).code === Code.PermissionDenied) return false;
    throw err;
  }
}

/**
 * What a gateway without the operator API lets the key do, asked of the gateway itself: one
 * model listing (scope chat) and one budget read (scope ops:read). Nothing is assumed.
 */
async function probeScopes(transport: Transport, signal: AbortSignal | undefined): Promise<Set<string>> {
  const [chat, read] = await Promise.all([
    allowed(createClient(ChatService, transport).listModels({}, { signal })),
    allowed(createClient(DashboardService, transport).getBudgets({}, { signal })),
  ]);
  return new Set([...(chat ? ['chat'] : []), ...(read ? ['ops:read'] : [])]);
}

/**
 * Asks the gateway who the key is (OperatorService.WhoAmI) and, when it may chat, which models it
 * may name; a gateway without the operator API is probed instead. A refused key throws the
 * gateway's ConnectError (UNAUTHENTICATED).
 */
export async function loadAccess(transport: Transport, signal?: AbortSignal): Promise<Access> {
  const chat = createClient(ChatService, transport);
  let tenant: string | undefined;
  let scopes: Set<string>;
  try {
    const me = await createClient(OperatorService, transport).whoAmI({}, { signal });
    tenant = me.tenant;
    scopes = new Set(me.scopes);
  } catch (err) {
    if (ConnectError.from(err).code !== Code.Unimplemented) throw err;
    scopes = await probeScopes(transport, signal);
  }
  const models = hasScope({ tenant, scopes, models: [] }, 'chat') ? (await chat.listModels({}, { signal })).models : [];
  return { tenant, scopes, models };
}

/** True when the key may read the dashboards. */
export function canReadDashboards(access: Access): boolean {
  return hasScope(access, 'ops:read');
}

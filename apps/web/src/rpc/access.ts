import { Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
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

/**
 * Asks the gateway who the key is (OperatorService.WhoAmI) and, when it may chat, which models it
 * may name. A gateway serving no operator API (UNIMPLEMENTED) is only chatted with. A refused key
 * throws the gateway's ConnectError (UNAUTHENTICATED).
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
    scopes = new Set(['chat']);
  }
  const models = hasScope({ tenant, scopes, models: [] }, 'chat') ? (await chat.listModels({}, { signal })).models : [];
  return { tenant, scopes, models };
}

/** True when the key may read the dashboards. */
export function canReadDashboards(access: Access): boolean {
  return hasScope(access, 'ops:read');
}

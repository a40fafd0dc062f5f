import { createClient, type Transport } from '@connectrpc/connect';
import { ChatService } from '@sophia/contracts/gateway';

/** What a signed-in key may do; the gateway enforces it, the app only hides what would be refused. */
export interface Access {
  /** The tenant the key authenticates as, when the gateway says. */
  readonly tenant: string | undefined;
  readonly scopes: ReadonlySet<string>;
  /** Models the key may name (plus "auto"). */
  readonly models: readonly string[];
}

/**
 * Checks the key against the gateway and learns what it may see. A key the gateway refuses throws the
 * gateway's ConnectError (UNAUTHENTICATED), which the sign-in form shows as is.
 */
export async function loadAccess(transport: Transport, signal?: AbortSignal): Promise<Access> {
  const chat = createClient(ChatService, transport);
  const { models } = await chat.listModels({}, { signal });
  return { tenant: undefined, scopes: new Set(['chat']), models };
}

/** True when the key may read the dashboards. */
export function canReadDashboards(access: Access): boolean {
  return access.scopes.has('ops:read') || access.scopes.has('admin');
}

import type { Transport } from '@connectrpc/connect';
import type { Access } from '../rpc/access.ts';
import type { ApiKeySession } from '../session/api-key-session.ts';

/** What every view gets from the shell. */
export interface AppContext {
  readonly transport: Transport;
  readonly session: ApiKeySession;
  readonly access: Access;
  /** Client-side navigation (pushState + render). */
  navigate(path: string): void;
}

/** A mounted page: renders into its container and returns how to tear itself down (streams, timers). */
export interface View {
  readonly title: string;
  mount(container: HTMLElement, ctx: AppContext): () => void;
}

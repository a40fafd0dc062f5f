// Requests that arrive while the pool has no endpoint for their model but the fleet is booting one
// wait for it — within their own deadline and the configured cap — instead of failing at once; with
// nothing booting they fail at once as before. Never a hang: the wait ends on the caller's abort,
// the cap, or the boot ending.
import { Code, ConnectError } from '@connectrpc/connect';
import type { EndpointLease, EndpointPool } from '../../endpoint-pool.ts';

/** Options for createCapacityWaiter. */
export interface CapacityWaiterOptions {
  readonly pool: EndpointPool;
  /** Instances booting for `servedModel` now: their ids and launch times (epoch ms). */
  readonly booting: (servedModel: string) => { id: string; launchedAt: number }[];
  /** Longest wait. */
  readonly maxWaitMs: number;
  /** How often the pool is re-checked. @default 250 */
  readonly pollMs?: number;
  readonly now?: () => number;
}

/** `acquire` for the handler: the pool's lease, possibly after waiting for a boot. */
export function createCapacityWaiter(options: CapacityWaiterOptions): (servedModel: string, signal: AbortSignal) => Promise<EndpointLease> {
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? 250;
  return async (servedModel, signal) => {
    try {
      return options.pool.acquire(servedModel);
    } catch (first) {
      if (options.booting(servedModel).length === 0) throw first;
      const started = now();
      for (;;) {
        const boots = options.booting(servedModel);
        try {
          return options.pool.acquire(servedModel);
        } catch (err) {
          if (boots.length === 0) throw err;
          const waited = now() - started;
          const describe = (): string => boots.map((b) => `${b.id} launched ${Math.round((now() - b.launchedAt) / 1000)} s ago`).join(', ');
          if (signal.aborted) throw new ConnectError(`waited ${Math.round(waited / 1000)} s for GPU capacity that is booting (${describe()}); the request's deadline ended the wait`, Code.DeadlineExceeded);
          if (waited >= options.maxWaitMs) throw new ConnectError(`GPU capacity for ${servedModel} is still booting after ${Math.round(waited / 1000)} s of waiting (${describe()})`, Code.Unavailable);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, Math.min(pollMs, options.maxWaitMs - waited));
            function done(): void {
              clearTimeout(timer);
              signal.removeEventListener('abort', done);
              resolve();
            }
            signal.addEventListener('abort', done, { once: true });
          });
        }
      }
    }
  };
}

import type { Client } from '@connectrpc/connect';
import type { Tier } from '@sophia/contracts/common';
import type { InferenceService } from '@sophia/contracts/inference';
import type { Logger } from 'pino';
import type { CapacitySnapshot } from './capacity-snapshot.ts';

/** Options for createCapacityPoller. */
export interface CapacityPollerOptions {
  readonly client: Client<typeof InferenceService>;
  readonly logger: Logger;
  /** @default 1000 */
  readonly intervalMs?: number;
  /** A snapshot older than this is not used (the pool's state is unknown). @default 5000 */
  readonly staleAfterMs?: number;
  /** @default 500 */
  readonly timeoutMs?: number;
  readonly clock?: () => number;
  /**
   * This replica's view sent with each poll, so the GPU fleet can scale on it: tiers whose
   * serverless breaker is open or half-open, and tiers an override sends to GPU.
   */
  readonly signals?: () => Promise<{ serverlessBreakersOpen: Tier[]; gpuOverrides: Tier[] }>;
}

/** The GPU pool's capacity, polled in the background and read from cache on the request path. */
export interface CapacityPoller {
  /** The last snapshot if it is fresh, else undefined. */
  current(): CapacitySnapshot | undefined;
  /** Polls once now (the timer calls this; tests call it directly). */
  pollOnce(): Promise<void>;
  /** Starts polling every `intervalMs`; the timer never keeps the process alive. */
  start(): void;
  close(): void;
}

/** Creates a poller of `InferenceService.GetCapacity` on the GPU backend. Failures are logged once per outage. */
export function createCapacityPoller(options: CapacityPollerOptions): CapacityPoller {
  const clock = options.clock ?? Date.now;
  const staleAfterMs = options.staleAfterMs ?? 5000;
  let snapshot: CapacitySnapshot | undefined;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const poll = async (): Promise<void> => {
    try {
      const signals = (await options.signals?.().catch(() => undefined)) ?? {};
      const res = await options.client.getCapacity(signals, { timeoutMs: options.timeoutMs ?? 500 });
      snapshot = { healthyEndpoints: res.healthyEndpoints, totalRunning: res.totalRunning, totalWaiting: res.totalWaiting, at: clock() };
      if (failing) options.logger.info('gpu capacity poll recovered');
      failing = false;
    } catch (err) {
      if (!failing) options.logger.warn({ err: (err as Error).message }, 'gpu capacity poll failed: routing without GPU queue depth until it recovers');
      failing = true;
    }
  };

  return {
    current: () => (snapshot && clock() - snapshot.at <= staleAfterMs ? snapshot : undefined),
    pollOnce: () => (inFlight ??= poll().finally(() => (inFlight = undefined))),
    start() {
      if (timer) return;
      timer = setInterval(() => void this.pollOnce(), options.intervalMs ?? 1000);
      timer.unref();
      void this.pollOnce();
    },
    close() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

import type { Client } from '@connectrpc/connect';
import type { GenerateResponse, RouterService } from '@sophia/contracts/router';
import type { Logger } from '@sophia/platform';
import { withGeneratePolicy, type GenerateCall } from '../../generate-policy.ts';
import type { PromptRepeatStore, PromptSeen } from './prompt-repeat-store.ts';

/** Records every answered chat request's prompt fingerprint; `wrap` puts it in front of the router client. */
export interface PromptRecorder {
  wrap(router: Client<typeof RouterService>): Client<typeof RouterService>;
  /** Writes what is buffered (also done every second and at stop). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** How often buffered fingerprints are written: one transaction per second, not one fsync per request. */
const FLUSH_MS = 1000;
const MAX_BUFFER = 512;

/**
 * A recorder over a store. Only completed answers are recorded (with the cost the router reports),
 * buffered and written once a second; a failed write is logged and dropped — fingerprints feed an
 * estimate (costs.optimize), never billing, so losing up to a second of them at a crash is acceptable.
 */
export function createPromptRecorder(store: PromptRepeatStore, logger: Logger, now: () => number = Date.now): PromptRecorder {
  let buffer: PromptSeen[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (buffer.length === 0) return writing;
    const batch = buffer;
    buffer = [];
    writing = writing.then(() => store.record(batch)).catch((err: unknown) => logger.warn({ err: (err as Error).message, dropped: batch.length }, 'prompt fingerprints not recorded'));
    return writing;
  };
  const timer = setInterval(() => void flush(), FLUSH_MS);
  timer.unref();
  async function* tap(call: GenerateCall): AsyncGenerator<GenerateResponse> {
    const { input, promptFingerprint } = call;
    for await (const res of call.next()) {
      if (res.event.case === 'done' && input) {
        buffer.push({ tenant: input.tenant ?? '', workload: input.workloadTag ?? '', fingerprint: promptFingerprint, costMicroUsd: res.event.value.decision?.cost?.microUsd ?? 0n, atMs: now() });
        if (buffer.length >= MAX_BUFFER) void flush();
      }
      yield res;
    }
  }
  return {
    wrap: (router) => withGeneratePolicy(router, tap),
    flush,
    close: async () => {
      clearInterval(timer);
      await flush();
    },
  };
}

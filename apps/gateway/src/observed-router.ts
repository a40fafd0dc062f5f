import type { Client } from '@connectrpc/connect';
import type { GenerateResponse, RouterService } from '@sophia/contracts/router';
import type { LiveTraffic, TrafficOutcome } from './live-traffic.ts';

/** True when a call was abandoned by its client (Stop, disconnect), not cut by its own deadline. */
function cancelledByClient(signal: AbortSignal | undefined): boolean {
  if (!signal?.aborted) return false;
  const reason: unknown = signal.reason;
  return !(reason instanceof DOMException && reason.name === 'TimeoutError');
}

async function* observe(stream: AsyncIterable<GenerateResponse>, traffic: LiveTraffic, signal: AbortSignal | undefined): AsyncGenerator<GenerateResponse> {
  const ticket = traffic.begin();
  let outcome: TrafficOutcome = 'error';
  let fallback = false;
  try {
    for await (const res of stream) {
      const ev = res.event;
      if (ev.case === 'decision') fallback = ev.value.fallback;
      else if (ev.case === 'done') {
        fallback = ev.value.decision?.fallback ?? fallback;
        outcome = 'ok';
      }
      yield res;
    }
  } catch (err) {
    outcome = cancelledByClient(signal) ? 'cancelled' : 'error';
    throw err;
  } finally {
    // A consumer that stops reading before `done` (its client left) also lands here.
    if (outcome !== 'ok' && cancelledByClient(signal)) outcome = 'cancelled';
    ticket.end(outcome, fallback);
  }
}

/**
 * The router client with every `Generate` recorded in `traffic` (latency to the last event, outcome,
 * fallback) — one place that sees the REST and the Connect chat paths alike.
 */
export function observeRouter(router: Client<typeof RouterService>, traffic: LiveTraffic): Client<typeof RouterService> {
  return {
    ...router,
    generate: (request, options) => observe(router.generate(request, options), traffic, options?.signal),
  };
}

import { createAdmissionGate, type AdmissionGate } from '@sophia/openai-upstream';

/** Options for {@link createEndpointGates}. */
export interface EndpointGatesOptions {
  /** Requests in flight per endpoint (SOPHIA_GPU_MAX_INFLIGHT); 0 = unlimited. */
  readonly maxInFlight: number;
  /** Requests allowed to wait per endpoint (SOPHIA_GPU_QUEUE_LIMIT). */
  readonly queueLimit: number;
  /** Per-endpoint in-flight limits (SOPHIA_GPU_ENDPOINT_MAX_INFLIGHT), by normalised URL. */
  readonly perEndpoint?: ReadonlyMap<string, number>;
  /** Told how long each admitted request waited. */
  readonly onWait?: (endpoint: string, ms: number) => void;
}

/** One in-flight gate per GPU endpoint, created when the endpoint is first used. */
export interface EndpointGates {
  gate(url: string): AdmissionGate;
  /** Gates of these URLs only (the pool's current endpoints); the others are forgotten. */
  retain(urls: readonly string[]): void;
  entries(): Array<[string, AdmissionGate]>;
}

/**
 * An explicit, visible in-flight limit per vLLM endpoint instead of an unbounded pile on one box:
 * vLLM runs at most `max_num_seqs` (256 by default) sequences and queues the rest where we cannot
 * bound it by a request's deadline. Endpoints come and go with the fleet, so gates are keyed by
 * URL and pruned to the pool's endpoints.
 */
export function createEndpointGates(options: EndpointGatesOptions): EndpointGates {
  const gates = new Map<string, AdmissionGate>();
  return {
    gate(url) {
      let gate = gates.get(url);
      if (gate === undefined) {
        gate = createAdmissionGate({
          name: `gpu endpoint ${url}`,
          limit: options.perEndpoint?.get(url) ?? options.maxInFlight,
          queueLimit: options.queueLimit,
          ...(options.onWait ? { onWait: (ms: number) => options.onWait!(url, ms) } : {}),
        });
        gates.set(url, gate);
      }
      return gate;
    },
    retain(urls) {
      const keep = new Set(urls);
      for (const [url, gate] of gates) if (!keep.has(url) && gate.inFlight() === 0 && gate.depth() === 0) gates.delete(url);
    },
    entries: () => [...gates.entries()],
  };
}

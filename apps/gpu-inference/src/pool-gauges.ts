import { Gauge, type Registry } from 'prom-client';
import type { TtftLimits } from '@sophia/ttft-limits';
import type { EndpointGates } from './endpoint-gates.ts';
import type { EndpointPool } from './endpoint-pool.ts';

/**
 * Exports the pool's live lease counts on every scrape: `gpu_pool_inflight_requests{endpoint}`
 * (our requests holding an endpoint now — must return to 0 once streams end or are cancelled)
 * and `gpu_pool_healthy_endpoints`. Read from the pool itself, so a leaked lease shows up.
 */
export function registerPoolGauges(pool: Pick<EndpointPool, 'snapshot'>, registry: Registry, extra: { gates?: EndpointGates; ttft?: TtftLimits } = {}): void {
  const { gates, ttft } = extra;
  if (gates) {
    new Gauge({
      name: 'gpu_endpoint_queue_depth',
      help: 'Requests waiting for an in-flight slot of a GPU endpoint (SOPHIA_GPU_MAX_INFLIGHT).',
      labelNames: ['endpoint'],
      registers: [registry],
      collect() {
        for (const [url, gate] of gates.entries()) this.set({ endpoint: url }, gate.depth());
      },
    });
  }
  if (ttft) {
    new Gauge({
      name: 'gpu_endpoint_ttft_limit_seconds',
      help: 'First-token timeout learned per GPU endpoint (4 × its recent p99, within the configured bounds).',
      labelNames: ['endpoint'],
      registers: [registry],
      collect() {
        for (const ep of pool.snapshot()) this.set({ endpoint: ep.url }, ttft.limitMs(ep.url) / 1000);
      },
    });
  }
  new Gauge({
    name: 'gpu_pool_inflight_requests',
    help: 'Requests of this service holding a GPU endpoint lease, per endpoint.',
    labelNames: ['endpoint'],
    registers: [registry],
    collect() {
      for (const ep of pool.snapshot()) this.set({ endpoint: ep.url }, ep.inFlight);
    },
  });
  new Gauge({
    name: 'gpu_pool_healthy_endpoints',
    help: 'Endpoints whose last /health probe succeeded.',
    registers: [registry],
    collect() {
      this.set(pool.snapshot().filter((ep) => ep.healthy).length);
    },
  });
}

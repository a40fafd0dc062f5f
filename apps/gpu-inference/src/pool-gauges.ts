import { Gauge, type Registry } from 'prom-client';
import type { EndpointPool } from './endpoint-pool.ts';

/**
 * Exports the pool's live lease counts on every scrape: `gpu_pool_inflight_requests{endpoint}`
 * (our requests holding an endpoint now — must return to 0 once streams end or are cancelled)
 * and `gpu_pool_healthy_endpoints`. Read from the pool itself, so a leaked lease shows up.
 */
export function registerPoolGauges(pool: Pick<EndpointPool, 'snapshot'>, registry: Registry): void {
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

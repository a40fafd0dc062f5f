import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ProviderRuntime } from './provider-runtime.ts';
import type { ProviderTtft } from './provider-ttft.ts';

/** Per-provider metrics; the `provider` label is bounded by configuration. */
export interface ProviderMetrics {
  /** Attempts by provider and outcome: served, failed, rate_limited, busy, breaker_open. */
  readonly attempts: Counter<'provider' | 'outcome'>;
  /** Time requests waited for an in-flight slot, by provider. */
  readonly queueWait: Histogram<'provider'>;
}

/**
 * Registers the provider metrics; gauges (in flight, queue depth, breaker open) are read from the
 * runtimes at scrape time, so they can never drift from the truth.
 */
export function createProviderMetrics(registry: Registry, runtimes: () => readonly ProviderRuntime[], ttft?: ProviderTtft): ProviderMetrics {
  if (ttft) {
    new Gauge({
      name: 'serverless_provider_ttft_limit_seconds',
      help: 'Learned first-token limits per provider: kind="failover" (silence before the next provider is tried) and kind="timeout" (first-token timeout).',
      labelNames: ['provider', 'kind'],
      registers: [registry],
      collect() {
        for (const r of runtimes()) {
          const v = ttft.view(r.settings.name);
          this.set({ provider: r.settings.name, kind: 'failover' }, v.failover.limitMs / 1000);
          this.set({ provider: r.settings.name, kind: 'timeout' }, v.firstToken.limitMs / 1000);
        }
      },
    });
  }
  new Gauge({
    name: 'serverless_provider_inflight',
    help: 'Requests in flight per provider (bounded by its in-flight limit).',
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      for (const r of runtimes()) this.set({ provider: r.settings.name }, r.gate.inFlight());
    },
  });
  new Gauge({
    name: 'serverless_provider_queue_depth',
    help: 'Requests waiting for an in-flight slot per provider.',
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      for (const r of runtimes()) this.set({ provider: r.settings.name }, r.gate.depth());
    },
  });
  new Gauge({
    name: 'serverless_provider_breaker_open',
    help: '1 while the provider’s circuit breaker is open (0.5 half-open).',
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      for (const r of runtimes()) {
        const s = r.breakerState();
        this.set({ provider: r.settings.name }, s === 'open' ? 1 : s === 'half_open' ? 0.5 : 0);
      }
    },
  });
  return {
    attempts: new Counter({
      name: 'serverless_provider_attempts_total',
      help: 'Attempts per provider by outcome (served, failed, rate_limited, busy, breaker_open).',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    }),
    queueWait: new Histogram({
      name: 'serverless_provider_queue_wait_seconds',
      help: 'Time a request waited for an in-flight slot per provider.',
      labelNames: ['provider'],
      buckets: [0, 0.005, 0.025, 0.1, 0.25, 1, 2.5, 10],
      registers: [registry],
    }),
  };
}

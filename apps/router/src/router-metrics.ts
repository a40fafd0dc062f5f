import { Counter, type Registry } from 'prom-client';

/** Router-specific metrics; every label is bounded by the catalog (tiers, backends, models). */
export interface RouterMetrics {
  readonly decisions: Counter<'tier' | 'backend' | 'model' | 'reason'>;
  readonly outcomes: Counter<'backend' | 'outcome'>;
  readonly fallbacks: Counter<'from' | 'to'>;
}

/** Registers the router metrics on `registry`. */
export function createRouterMetrics(registry: Registry): RouterMetrics {
  return {
    decisions: new Counter({
      name: 'router_decisions_total',
      help: 'Routing decisions by tier, first-choice backend and model, and primary reason code.',
      labelNames: ['tier', 'backend', 'model', 'reason'],
      registers: [registry],
    }),
    outcomes: new Counter({
      name: 'router_requests_total',
      help: 'Routed requests by serving backend and outcome (ok, failed, cancelled, mid_stream_error).',
      labelNames: ['backend', 'outcome'],
      registers: [registry],
    }),
    fallbacks: new Counter({
      name: 'router_fallbacks_total',
      help: 'Moves to another target before the first token, by from/to backend.',
      labelNames: ['from', 'to'],
      registers: [registry],
    }),
  };
}

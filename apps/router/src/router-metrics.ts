import { Counter, Gauge, type Registry } from 'prom-client';

/** Router-specific metrics; every label is bounded by the catalog (tiers, backends, models) or is a reason code. */
export interface RouterMetrics {
  readonly decisions: Counter<'tier' | 'backend' | 'model' | 'reason'>;
  readonly outcomes: Counter<'backend' | 'outcome'>;
  readonly fallbacks: Counter<'from' | 'to'>;
  /** Every reason code of every decision (codes only: the detail after ':' never becomes a label). */
  readonly reasons: Counter<'reason'>;
  /** Generate calls in progress (must return to 0 when streams end or are cancelled). */
  readonly inFlight?: Gauge;
  /** Same-target retries before the first token, by outcome (ok, failed, budget_exhausted). */
  readonly retries?: Counter<'outcome'>;
  /** Mid-stream rescues by outcome (ok, failed). */
  readonly rescues?: Counter<'outcome'>;
  /** Hedges by outcome: started, budget_exhausted, hedge_won, hedge_lost, primary_lost (and bound_extended_busy, deferred_busy). */
  readonly hedges?: Counter<'outcome'>;
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
    reasons: new Counter({
      name: 'router_decision_reasons_total',
      help: 'Routing decisions by reason code (classified, quality, retiered, override_tier, override_backend, split, gpu_idle, gpu_busy, budget_step_down, breaker_open, ...).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    inFlight: new Gauge({ name: 'router_inflight_requests', help: 'Generate calls in progress.', registers: [registry] }),
    retries: new Counter({ name: 'router_retries_total', help: 'Same-target retries before the first token, by outcome.', labelNames: ['outcome'], registers: [registry] }),
    hedges: new Counter({
      name: 'router_hedges_total',
      help: 'Parallel attempts on the next target while the first was slower than its own learned TTFT, by outcome (started, budget_exhausted, hedge_won, hedge_lost, primary_lost; bound_extended_busy: the first-token bound extended once because the target was answering others; deferred_busy: a hedge held back while the target was answering a burst in turn).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    rescues: new Counter({ name: 'router_rescues_total', help: 'Streams broken after the first token and continued on another target, by outcome.', labelNames: ['outcome'], registers: [registry] }),
  };
}

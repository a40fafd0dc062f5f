import { context, trace, type Span } from '@opentelemetry/api';
import type { RoutingDecision, Usage } from '@sophia/contracts/common';
import { addSpanEvent, failSpan, inSpan, setSpanAttributes, spanIsRecording, startSpan } from '@sophia/platform';
import type { BreakerState } from './target-breakers.ts';
import type { Leg, LegAccounting } from './leg-accounting.ts';
import type { PreparedRequest } from './request-preparer.ts';
import type { RouteTarget } from './route-plan.ts';

/**
 * The router's spans, in one place so the steps they describe carry one line each: the routing
 * decision, every attempt (with its breaker state), every leg (the first, then rescues), and the
 * budget calls. Attributes follow the GenAI conventions where one fits (`gen_ai.request.model`)
 * and `sophia.*` for ours; no span holds message text.
 */

/** Runs the prepare step (classification + plan) in a `route` span and records the decision on it and on the served call. */
export async function inRouteSpan(fn: () => Promise<PreparedRequest>): Promise<PreparedRequest> {
  const served = trace.getSpan(context.active());
  return inSpan('route', undefined, async (span) => {
    const p = await fn();
    if (span.isRecording()) {
      const first = p.plan.targets[0];
      const attributes = {
        'sophia.tier': p.plan.tier,
        'sophia.reasons': [...p.plan.reasons],
        'sophia.plan': p.plan.targets.map((t) => t.key),
        ...(first ? { 'gen_ai.request.model': first.model.id, 'sophia.backend': first.backend, 'sophia.target': first.key } : {}),
        ...(p.classification ? { 'sophia.classifier.score': p.classification.score, 'sophia.classifier.task_type': p.classification.taskType } : { 'sophia.classifier.skipped': true }),
        'sophia.tenant': p.input.tenant,
        'sophia.workload': p.input.workloadTag,
        'sophia.prompt_tokens': p.promptTokens,
      };
      span.setAttributes(attributes);
      served?.setAttributes({ 'sophia.tenant': p.input.tenant, 'sophia.workload': p.input.workloadTag, 'sophia.tier': p.plan.tier, 'sophia.request_id': p.input.requestId });
    }
    return p;
  });
}

/** One attempt at a target: reserve, breaker, open the backend stream up to its first event. */
export function inAttemptSpan<T>(target: RouteTarget, attempt: number, breaker: BreakerState, retry: boolean, fn: () => Promise<T | undefined>): Promise<T | undefined> {
  return inSpan(
    `attempt ${target.key}`,
    { 'sophia.target': target.key, 'sophia.backend': target.backend, 'gen_ai.request.model': target.model.id, 'sophia.attempt': attempt, 'sophia.breaker.state': breaker, 'sophia.retry': retry },
    async (span) => {
      const got = await fn();
      if (span.isRecording()) span.setAttribute('sophia.outcome', got === undefined ? 'failed' : 'opened');
      if (got === undefined) failSpan(span, new Error('attempt failed: falling back'));
      return got;
    },
  );
}

/** Notes on the active span why the next attempt happens (the failed target and its cause). */
export function recordAttemptFailure(target: RouteTarget, cause: string): void {
  addSpanEvent('attempt_failed', { 'sophia.target': target.key, 'sophia.cause': cause.slice(0, 300) });
}

/** How a leg ended. */
export type LegOutcome = 'completed' | 'cancelled' | 'mid_stream_error' | 'no_target';

/** The span of one leg and the context its work runs in. */
export interface LegTrace {
  /**
   * Runs `fn` under the leg's span — attempts and billing become its children — in the context
   * captured when the leg began, so billing settled from a cancellation's abort event still lands
   * in this trace.
   */
  run<T>(fn: () => T): T;
  /** Ends the leg's span with its outcome. Idempotent: the first end wins. */
  end(target: RouteTarget | undefined, outcome: LegOutcome, fallback: boolean, err?: unknown): void;
}

/** A leg of a generation: the first, or the n-th rescue continuing a stream broken after its first token. */
export function startLegTrace(rescue: number): LegTrace {
  const span: Span = startSpan(rescue === 0 ? 'leg' : `rescue ${rescue}`, { attributes: { 'sophia.rescue': rescue } });
  const legContext = trace.setSpan(context.active(), span);
  let open = true;
  return {
    run: (fn) => context.with(legContext, fn),
    end(target, outcome, fallback, err) {
      if (!open) return;
      open = false;
      if (span.isRecording()) {
        span.setAttributes({ 'sophia.outcome': outcome, 'sophia.fallback': fallback, ...(target ? { 'sophia.target': target.key, 'sophia.backend': target.backend } : {}) });
        if (outcome === 'mid_stream_error' || outcome === 'no_target') failSpan(span, err ?? new Error(outcome));
      }
      span.end();
    },
  };
}

/** A fallback or a rescue, as an event on the active span (the leg's or the served call's). */
export function recordRerouting(kind: 'fallback' | 'rescue', target: RouteTarget, cause?: string): void {
  addSpanEvent(kind, { 'sophia.target': target.key, ...(cause ? { 'sophia.cause': cause.slice(0, 300) } : {}) });
}

/** The answer's routing and cost on the served call's span: what an operator filters traces by. */
export function recordAnswer(decision: RoutingDecision, usage: Usage, finishReason: string): void {
  if (!spanIsRecording()) return;
  setSpanAttributes({
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': decision.model,
    'gen_ai.provider.name': decision.provider || decision.target.split(':')[0] || '',
    'gen_ai.usage.input_tokens': usage.promptTokens,
    'gen_ai.usage.output_tokens': usage.completionTokens,
    'gen_ai.response.finish_reasons': [finishReason],
    'sophia.target': decision.target,
    'sophia.provider': decision.provider,
    'sophia.fallback': decision.fallback,
    'sophia.attempts': decision.attempts,
    'sophia.cost_micro_usd': Number(decision.cost?.microUsd ?? 0n),
    'sophia.reasons': [...decision.reasons],
  });
}

/** The ledger calls of a generation, each in a `budget.*` span (its LedgerService RPC is the child). */
export function traceAccounting(accounting: LegAccounting): LegAccounting {
  const attrs = (p: PreparedRequest, leg: Leg, target?: RouteTarget) => ({
    'sophia.tenant': p.input.tenant,
    'sophia.reservation_id': leg.requestId,
    ...(target ? { 'sophia.target': target.key } : {}),
  });
  return {
    reserve: (p, leg, target) => inSpan('budget.reserve', { ...attrs(p, leg, target), 'sophia.prompt_tokens': p.promptTokens, 'gen_ai.request.max_tokens': p.input.params?.maxTokens ?? 0 }, () => accounting.reserve(p, leg, target)),
    release: (p, leg) => void inSpan('budget.release', attrs(p, leg), () => accounting.release(p, leg)),
    commit: (p, leg, target, usage, decision, startedAt, completed) =>
      inSpan('budget.commit', { ...attrs(p, leg, target), 'sophia.completed': completed, 'gen_ai.usage.input_tokens': usage.promptTokens, 'gen_ai.usage.output_tokens': usage.completionTokens }, async (span) => {
        const cost = await accounting.commit(p, leg, target, usage, decision, startedAt, completed);
        if (span.isRecording()) span.setAttribute('sophia.cost_micro_usd', Number(cost));
        return cost;
      }),
  };
}

import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { MoneySchema, UsageSchema, type Usage } from '@sophia/contracts/common';
import type { GenerateResponse as InferenceEvent } from '@sophia/contracts/inference';
import type { GenerateResponseSchema } from '@sophia/contracts/router';
import type { Logger } from 'pino';
import { isBackendFailure } from '@sophia/platform/wire';
import { continuationMessages } from './continuation-messages.ts';
import type { Leg, LegAccounting } from './leg-accounting.ts';
import { estimatePartialUsage } from './partial-usage.ts';
import type { PreparedRequest } from './request-preparer.ts';
import type { RouteTarget } from './route-plan.ts';
import type { RouterMetrics } from './router-metrics.ts';
import type { DecisionBuilder } from './routing-decision.ts';
import type { AttemptState, FirstTokenBound, OpenFirstTarget } from './target-attempts.ts';
import type { TargetBreakers } from './target-breakers.ts';
import { countPromptTokensLazily } from './token-count.ts';
import { recordAnswer, recordRerouting, startLegTrace } from './router-spans.ts';

/** What streaming legs uses: the other steps, composed. */
export interface LegStreamerDeps {
  readonly openFirst: OpenFirstTarget;
  readonly accounting: LegAccounting;
  readonly decide: DecisionBuilder;
  readonly breakers: TargetBreakers;
  readonly logger: Logger;
  readonly metrics?: RouterMetrics | undefined;
  readonly maxRescues: number;
  /** SOPHIA_FIRST_TOKEN_BOUND_MS: the longest a caller waits, from the request's arrival, before a first token or a clear error. @default none (the deadline) */
  readonly firstTokenBoundMs?: number | undefined;
}

/** Left for the answer to travel back when the caller's own deadline is what bounds the first token. */
const DEADLINE_MARGIN_MS = 250;

/**
 * When the first token must have come: the configured bound from the request's arrival, or — when
 * sooner — just before the caller's deadline, so the caller hears DEADLINE_EXCEEDED naming what each
 * target did rather than a bare cancellation racing its own timer.
 */
function firstTokenBound(boundMs: number | undefined, startedAt: number, ctx: HandlerContext): FirstTokenBound | undefined {
  const now = Date.now();
  const left = ctx.timeoutMs();
  const byDeadline = left === undefined || left <= 2 * DEADLINE_MARGIN_MS ? undefined : now + left - DEADLINE_MARGIN_MS;
  const byBound = boundMs === undefined ? undefined : startedAt + boundMs;
  const at = byDeadline === undefined ? byBound : byBound === undefined ? byDeadline : Math.min(byDeadline, byBound);
  if (at === undefined) return undefined;
  // A busy (not silent) target may take one more bound, never past the caller's deadline.
  const busy = byBound === undefined ? undefined : byDeadline === undefined ? byBound + boundMs! : Math.min(byDeadline, byBound + boundMs!);
  return { at, ms: at - startedAt, ...(busy !== undefined && busy > at ? { busyAt: busy } : {}) };
}

/** Streams a prepared request's events to the caller, leg by leg (the first, then rescues). */
export type LegStreamer = (p: PreparedRequest, ctx: HandlerContext, state: AttemptState, startedAt: number) => AsyncGenerator<MessageInitShape<typeof GenerateResponseSchema>>;

async function rescueLeg(p: PreparedRequest, delivered: string, rescue: number): Promise<Leg> {
  const messages = continuationMessages(p.input.messages, delivered);
  return { requestId: `${p.input.requestId}:rescue${rescue}`, messages, promptTokens: await countPromptTokensLazily(messages) };
}

/**
 * The "stream legs and rescue" step: sends the decision once a target produced its first event,
 * relays deltas, settles each leg's bill exactly once (on completion, failure or cancellation),
 * falls back before the first token, and after it rescues on the next target (with the partial
 * answer as context, up to `maxRescues`) or ends with an explicit error — never a truncated success.
 */
export function createLegStreamer(deps: LegStreamerDeps): LegStreamer {
  return async function* serve(p, ctx, state, startedAt) {
    // Text the client has received, across legs; billed legs (the first, then rescues).
    let delivered = '';
    // Something other than plain text of choice 0 reached the client (tool-call pieces, other
    // choices, logprobs): a continuation prompt cannot rebuild it, so such a stream is not rescued.
    let structured = false;
    const billed: Array<{ usage: Usage; cost: bigint }> = [];
    const extraReasons: string[] = [];
    let rescues = 0;
    let decisionSent = false;
    let broken: { target: RouteTarget; cause: string } | undefined;
    for (;;) {
      const leg: Leg = rescues === 0 ? { requestId: p.input.requestId, messages: p.input.messages, promptTokens: p.promptTokens } : await rescueLeg(p, delivered, rescues);
      const candidates = p.plan.targets.filter((t) => !state.failed.has(t.key));
      const legTrace = startLegTrace(rescues);
      const first = delivered.length === 0;
      const got = await legTrace.run(() => deps.openFirst(candidates, p, leg, ctx, state, first, first ? firstTokenBound(deps.firstTokenBoundMs, startedAt, ctx) : undefined));
      if (!got) {
        legTrace.end(undefined, 'no_target', rescues > 0, new Error(state.failures.join('; ')));
        if (broken) {
          deps.metrics?.rescues?.inc({ outcome: 'failed' });
          throw new ConnectError(`${broken.target.key} failed after the first token: ${broken.cause}; rescue failed: ${state.failures.slice(-candidates.length).join('; ') || 'no other target'}`, Code.Unavailable);
        }
        deps.metrics?.outcomes.inc({ backend: 'none', outcome: 'failed' });
        throw new ConnectError(`all backends failed for tier ${p.plan.tier}: ${state.failures.join('; ')}`, Code.Unavailable);
      }
      // The leg that answered: the request's own, or the hedge that beat it (its own reservation and bill).
      const { target, opened, upstream, detach, leg: answered } = got;
      // A hedge that lost is not a fallback; one that won is (the answer comes from another target).
      const hedged = answered !== leg;
      const fallback = state.count - state.hedges > 1 || hedged || rescues > 0;
      if (rescues === 0 && (hedged || state.count - state.hedges > 1)) {
        extraReasons.push(`${hedged ? 'hedge' : 'fallback'}:${target.key}`);
        legTrace.run(() => recordRerouting('fallback', target, state.failures.at(-1)));
      }
      const reasons = (): string[] => [...p.plan.reasons, ...extraReasons];
      if (!decisionSent) {
        // Sent once a target produced its first event, so a total failure before any token stays a
        // plain error status (the gateway then answers with an HTTP error, not a broken stream).
        decisionSent = true;
        yield { event: { case: 'decision', value: deps.decide(p, target, { fallback, attempts: state.count, reasons: reasons(), provider: opened.provider }) } };
      }
      let legText = '';
      let done: Extract<InferenceEvent['event'], { case: 'done' }>['value'] | undefined;
      let failure: unknown;
      // Accounting must not depend on the consumer: a transport may stop pulling a cancelled stream
      // without ever resuming this generator, so cancellation settles the bill from the abort event.
      let settled: Promise<bigint> | undefined;
      const settle = (): Promise<bigint> =>
        (settled ??= legTrace.run(async () => {
          const completed = done !== undefined;
          if (!completed) upstream.abort();
          const usage = done?.usage ?? create(UsageSchema, await estimatePartialUsage(answered.promptTokens, legText));
          const decision = deps.decide(p, target, { fallback, attempts: state.count, reasons: reasons(), provider: opened.provider });
          const cost = await deps.accounting.commit(p, answered, target, usage, decision, startedAt, completed);
          billed.push({ usage, cost });
          deps.metrics?.outcomes.inc({ backend: target.backend, outcome: completed ? (rescues > 0 ? 'rescued' : 'ok') : ctx.signal.aborted ? 'cancelled' : 'mid_stream_error' });
          return cost;
        }));
      // A settle that fails (usage could not be recorded) is the stream's error in the finally below; here only the trace ends.
      const onCancel = (): void => void settle().then(
        () => legTrace.end(target, 'cancelled', fallback),
        (err: unknown) => legTrace.end(target, 'cancelled', fallback, err),
      );
      ctx.signal.addEventListener('abort', onCancel, { once: true });
      try {
        let step = opened.first;
        while (!step.done) {
          const ev = step.value.event;
          if (ev.case === 'delta') {
            legText += ev.value.text;
            delivered += ev.value.text;
            yield { event: { case: 'delta', value: ev.value.text } };
          } else if (ev.case === 'choice') {
            // Counted for the partial-usage estimate of a broken leg: every choice's text and every tool call.
            const piece = ev.value.content + ev.value.toolCalls.map((t) => t.name + t.arguments).join('');
            legText += piece;
            delivered += piece;
            structured = true;
            yield { event: { case: 'choice', value: ev.value } };
          } else if (ev.case === 'done') {
            done = ev.value;
          }
          step = await opened.iterator.next();
        }
      } catch (err) {
        failure = err;
      } finally {
        detach();
        ctx.signal.removeEventListener('abort', onCancel);
        try {
          await settle(); // throws when the usage cannot be recorded anywhere: the answer then ends in that error
        } finally {
          legTrace.end(target, done ? 'completed' : ctx.signal.aborted ? 'cancelled' : 'mid_stream_error', fallback, failure);
        }
      }
      if (done) {
        deps.breakers.recordSuccess(target.key);
        if (rescues > 0) deps.metrics?.rescues?.inc({ outcome: 'ok' });
        const usage = create(UsageSchema, {
          promptTokens: billed.reduce((n, b) => n + b.usage.promptTokens, 0),
          completionTokens: billed.reduce((n, b) => n + b.usage.completionTokens, 0),
          totalTokens: billed.reduce((n, b) => n + b.usage.totalTokens, 0),
          cachedPromptTokens: billed.reduce((n, b) => n + b.usage.cachedPromptTokens, 0),
        });
        const decision = deps.decide(p, target, { fallback, attempts: state.count, reasons: reasons(), provider: opened.provider });
        decision.cost = create(MoneySchema, { microUsd: billed.reduce((n, b) => n + b.cost, 0n) });
        recordAnswer(decision, rescues > 0 ? usage : (done.usage ?? create(UsageSchema)), done.finishReason);
        yield { event: { case: 'done', value: { usage: rescues > 0 ? usage : (done.usage ?? create(UsageSchema)), finishReason: done.finishReason, decision } } };
        return;
      }
      if (ctx.signal.aborted) throw new ConnectError('client cancelled', Code.Canceled);
      const err = failure ?? new ConnectError('stream ended without a final event', Code.Unavailable);
      const cause = ConnectError.from(err).rawMessage;
      if (!isBackendFailure(err)) throw new ConnectError(`${target.key} failed: ${cause}`, ConnectError.from(err).code);
      deps.breakers.recordFailure(target.key, err);
      state.failed.add(target.key);
      state.failures.push(`${target.key}: ${cause}`);
      if (delivered.length === 0) continue; // nothing reached the client: an ordinary fallback
      if (rescues >= deps.maxRescues || structured) {
        const why = structured && rescues < deps.maxRescues ? ' (not rescued: tool calls, several choices or logprobs were already sent)' : '';
        throw new ConnectError(`${target.key} failed after the first token: ${cause}${why}`, Code.Unavailable);
      }
      rescues += 1;
      broken = { target, cause };
      recordRerouting('rescue', target, cause);
      extraReasons.push(`rescue:${target.key}`);
      deps.logger.warn({ requestId: p.input.requestId, target: target.key, err: cause, deliveredChars: delivered.length }, 'stream broke after the first token: rescuing on the next target');
    }
  };
}

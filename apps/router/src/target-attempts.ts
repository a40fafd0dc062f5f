import { Code, ConnectError, type Client, type HandlerContext } from '@connectrpc/connect';
import { create } from '@bufbuild/protobuf';
import { UsageSchema } from '@sophia/contracts/common';
import type { InferenceService, GenerateResponse as InferenceEvent } from '@sophia/contracts/inference';
import type { TtftLimits } from '@sophia/ttft-limits';
import type { CatalogBackend } from '@sophia/price-catalog';
import { firstTokenBoundExceeded, isBackendFailure, retryAfterMs } from '@sophia/platform/wire';
import type { Leg, LegAccounting } from './leg-accounting.ts';
import { effectiveProviderPrefs, PROVIDER_HEADER } from './provider-prefs.ts';
import type { PreparedRequest } from './request-preparer.ts';
import { retryDelayMs, type RetryBudget } from './retry-budget.ts';
import type { RouteTarget } from './route-plan.ts';
import type { RouterMetrics } from './router-metrics.ts';
import { inAttemptSpan, recordAttemptFailure } from './router-spans.ts';
import { EMPTY_POLICY, type RoutingPolicy } from './routing-policy.ts';
import { BreakerOpenError, type TargetBreakers } from './target-breakers.ts';
import type { DecisionBuilder } from './routing-decision.ts';
import { estimatePartialUsage } from './partial-usage.ts';
import type { TokenMix } from './token-mix.ts';
import { createTargetActivity } from './target-activity.ts';

/** A backend stream that produced its first event; `provider` names the serverless provider answering ('' for GPU). */
export interface OpenedStream {
  readonly iterator: AsyncIterator<InferenceEvent>;
  readonly first: IteratorResult<InferenceEvent>;
  readonly provider: string;
}

/** The target that answered, the leg it answered (the request's, or a hedge's), its open stream, the controller that cuts it, and the unhook from the caller's signal. */
export interface OpenedTarget {
  readonly target: RouteTarget;
  readonly leg: Leg;
  readonly opened: OpenedStream;
  readonly upstream: AbortController;
  readonly detach: () => void;
}

/** Shared state of one Generate across its attempts and legs. */
export interface AttemptState {
  count: number;
  /** A backend was actually called (not just reserved for, or skipped at an open breaker). */
  called: boolean;
  readonly failures: string[];
  readonly failed: Set<string>;
  retries: number;
  /** Hedges started (parallel attempts on the next target while the first was still silent). */
  hedges: number;
}

/** A fresh AttemptState for one Generate. */
export function newAttemptState(): AttemptState {
  return { count: 0, called: false, failures: [], failed: new Set(), retries: 0, hedges: 0 };
}

/** What attempting targets uses. */
export interface TargetAttemptsDeps {
  readonly backends: Partial<Record<CatalogBackend, Client<typeof InferenceService>>>;
  readonly breakers: TargetBreakers;
  readonly accounting: LegAccounting;
  readonly decide: DecisionBuilder;
  readonly policy?: (() => RoutingPolicy) | undefined;
  readonly metrics?: RouterMetrics | undefined;
  readonly maxRetries: number;
  readonly maxRetryAfterMs: number;
  readonly retryBudget: RetryBudget;
  readonly random: () => number;
  /** Learned time to first event per target: when to hedge. @default no hedging */
  readonly ttft?: TtftLimits | undefined;
  /** Hedges allowed (a share of requests). @default none */
  readonly hedgeBudget?: RetryBudget | undefined;
  /** The tenant×workload's real completion tokens, for the serverless backend's provider ranking. @default unknown */
  readonly tokenMix?: TokenMix | undefined;
  readonly clock?: (() => number) | undefined;
}

/**
 * Opens the first candidate that produces a first event, each through its breaker. A candidate
 * still silent past its learned hedge delay gets company: the next candidate is started in
 * parallel (within the hedge budget), the first to answer wins and the other is cancelled and
 * billed for what it was seen to produce. When every candidate failed and no token reached the
 * client yet, retryable failures (RESOURCE_EXHAUSTED with its Retry-After, UNAVAILABLE with
 * jittered backoff) get another try on the same target, within the caller's deadline and the
 * shared retry budget. `firstTokenBound` bounds the whole search: past it, every attempt
 * is cancelled and the call ends with DEADLINE_EXCEEDED naming what each target did. Resolves
 * undefined when nothing opened.
 */
export type OpenFirstTarget = (
  candidates: readonly RouteTarget[],
  p: PreparedRequest,
  leg: Leg,
  ctx: HandlerContext,
  state: AttemptState,
  allowRetry: boolean,
  firstTokenBound?: FirstTokenBound,
) => Promise<OpenedTarget | undefined>;

/** When the first token must have arrived: epoch ms `at`, and the `ms` it allowed (for the message). */
export interface FirstTokenBound {
  readonly at: number;
  readonly ms: number;
  /**
   * The latest it may be pushed to (epoch ms) when a target is busy rather than silent — it answered
   * other requests since this attempt started — so an overloaded but working mesh finishes a burst.
   */
  readonly busyAt?: number;
}

/** Least time worth leaving for an answer after a retry delay. */
const MIN_ANSWER_MS = 250;

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** One call of a target for a leg, running. */
interface Attempt {
  readonly target: RouteTarget;
  readonly leg: Leg;
  readonly hedge: boolean;
  readonly startedAt: number;
  readonly upstream: AbortController;
  readonly detach: () => void;
  /** Never rejects: how the call's first event came out. */
  readonly outcome: Promise<AttemptOutcome>;
}

type AttemptOutcome =
  | { readonly kind: 'opened'; readonly opened: OpenedStream }
  /**
   * Failed before a first event; `fatal` when the error ends the request (budget refusal, client
   * error); `called` once the backend was asked (not when the reservation or the breaker refused).
   */
  | { readonly kind: 'failed'; readonly error: unknown; readonly fatal: boolean; readonly called: boolean };

type RaceEvent = { readonly kind: 'settled'; readonly attempt: Attempt; readonly outcome: AttemptOutcome } | { readonly kind: 'hedge' } | { readonly kind: 'bound' };

/** Resolves after `ms` with `value`, or never when `ms` is undefined; `cancel` clears the timer. */
function timer<T>(ms: number | undefined, value: T): { promise: Promise<T>; cancel: () => void } {
  if (ms === undefined) return { promise: new Promise<T>(() => undefined), cancel: () => undefined };
  let handle: NodeJS.Timeout | undefined;
  const promise = new Promise<T>((resolve) => {
    handle = setTimeout(() => resolve(value), Math.max(0, ms));
    handle.unref();
  });
  return { promise, cancel: () => clearTimeout(handle) };
}

/** The "attempt targets" step: reserve, call through the breaker, hedge, fall back, retry — within the first-token bound. */
export function createTargetAttempts(deps: TargetAttemptsDeps): OpenFirstTarget {
  const clock = deps.clock ?? Date.now;
  // What each target recently did for everyone: busy, failing, or dropped one request?
  const activity = createTargetActivity();

  async function openStream(target: RouteTarget, p: PreparedRequest, leg: Leg, signal: AbortSignal): Promise<OpenedStream> {
    const client = deps.backends[target.backend];
    if (!client) throw new ConnectError(`no client for backend ${target.backend}`, Code.Unavailable);
    let provider = '';
    const serverless = target.backend === 'serverless';
    const prefs = serverless ? effectiveProviderPrefs(p.input.provider, deps.policy?.() ?? EMPTY_POLICY, p.input.tenant) : undefined;
    const expectedCompletionTokens = serverless ? deps.tokenMix?.expectedCompletionTokens(p.input.tenant, p.input.workloadTag) : undefined;
    const expectedCachedPromptShare = serverless ? deps.tokenMix?.expectedCachedPromptShare(p.input.tenant, p.input.workloadTag) : undefined;
    const stream = client.generate(
      {
        requestId: leg.requestId,
        model: target.model.id,
        messages: [...leg.messages],
        params: p.input.params,
        tenant: p.input.tenant,
        ...(prefs ? { provider: prefs } : {}),
        ...(expectedCompletionTokens !== undefined ? { expectedCompletionTokens } : {}),
        ...(expectedCachedPromptShare !== undefined ? { expectedCachedPromptShare } : {}),
      },
      // The serverless backend names the answering provider in a header sent with its first event.
      { signal, onHeader: (h) => void (provider = h.get(PROVIDER_HEADER) ?? '') },
    );
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    return { iterator, first, provider };
  }

  return async (candidates, p, leg, ctx, state, allowRetry, firstTokenBound) => {
    let firstTokenBy = firstTokenBound?.at;
    const retryable: Array<{ target: RouteTarget; retryAfterMs: number | undefined }> = [];

    const start = (target: RouteTarget, hedge: boolean, retry: boolean): Attempt => {
      state.count += 1;
      const breakerAtStart = deps.breakers.state(target.key);
      if (hedge) state.hedges += 1;
      const attemptLeg: Leg = hedge ? { ...leg, requestId: `${leg.requestId}:hedge${state.hedges}` } : leg;
      const upstream = new AbortController();
      const onAbort = (): void => upstream.abort(ctx.signal.reason);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const detach = (): void => ctx.signal.removeEventListener('abort', onAbort);
      const run = async (): Promise<AttemptOutcome> => {
        try {
          // An open breaker refuses at once: no point reserving for it.
          if (deps.breakers.state(target.key) !== 'open') await deps.accounting.reserve(p, attemptLeg, target);
        } catch (error) {
          return { kind: 'failed', error, fatal: true, called: false };
        }
        let called = false;
        try {
          const opened = await deps.breakers.fire(target.key, () => {
            state.called = true;
            called = true;
            return openStream(target, p, attemptLeg, upstream.signal);
          });
          return { kind: 'opened', opened };
        } catch (error) {
          return { kind: 'failed', error, fatal: !(error instanceof BreakerOpenError) && !isBackendFailure(error), called };
        }
      };
      // One span per attempt (hedges included); its outcome is "opened" or "failed".
      let failed: AttemptOutcome | undefined;
      const outcome = inAttemptSpan(target, state.count, breakerAtStart, retry, async () => {
        const o = await run();
        if (o.kind === 'opened') return o;
        failed = o;
        return undefined;
      }).then((o) => o ?? failed!);
      return { target, leg: attemptLeg, hedge, startedAt: clock(), upstream, detach, outcome };
    };

    /** A failed attempt: its reservation freed, its failure noted (and kept for a retry when retryable). */
    const noteFailure = (a: Attempt, error: unknown): void => {
      a.detach();
      a.upstream.abort();
      deps.accounting.release(p, a.leg);
      const msg = error instanceof BreakerOpenError ? 'breaker open' : ConnectError.from(error).rawMessage;
      state.failures.push(`${a.target.key}: ${msg}`);
      recordAttemptFailure(a.target, msg);
      state.failed.add(a.target.key);
      if (!(error instanceof BreakerOpenError)) {
        const ce = ConnectError.from(error);
        if (ce.code === Code.ResourceExhausted || ce.code === Code.Unavailable) {
          if (!retryable.some((r) => r.target.key === a.target.key)) retryable.push({ target: a.target, retryAfterMs: retryAfterMs(ce) });
        }
      }
    };

    /**
     * Cancels an attempt that did not win. One that lost a race is billed for what it was seen to
     * produce (a first event that came too late: the prompt and that text; nothing seen: zero
     * tokens), so the ledger holds every upstream call; one cut by the bound or a fatal error is
     * released like any failure. Runs in the background: the winner never waits for it.
     */
    const abandon = (a: Attempt, lost: boolean): void => {
      a.upstream.abort(new ConnectError(lost ? 'another target answered first' : 'cancelled', Code.Canceled));
      a.detach();
      void a.outcome.then(async (o) => {
        if (!lost) {
          if (o.kind === 'opened') void o.opened.iterator.return?.(undefined);
          deps.accounting.release(p, a.leg);
          return;
        }
        deps.ttft?.observeCensored(a.target.key, clock() - a.startedAt);
        deps.metrics?.hedges?.inc({ outcome: a.hedge ? 'hedge_lost' : 'primary_lost' });
        let text = '';
        if (o.kind === 'opened') {
          if (o.opened.first.value?.event.case === 'delta') text = o.opened.first.value.event.value.text;
          void o.opened.iterator.return?.(undefined);
        } else if (!o.called) {
          deps.accounting.release(p, a.leg); // never reached the backend: nothing to bill
          return;
        }
        const usage = o.kind === 'opened' ? await estimatePartialUsage(a.leg.promptTokens, text) : { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
        const decision = deps.decide(p, a.target, { fallback: true, attempts: state.count, reasons: [...p.plan.reasons, `hedge_lost:${a.target.key}`], provider: o.kind === 'opened' ? o.opened.provider : '' });
        await deps.accounting.commit(p, a.leg, a.target, create(UsageSchema, usage), decision, a.startedAt, false);
      }).catch(() => {
        // The losing leg's usage could not be recorded anywhere (durable-commits.ts logged it with its
        // request id); nothing was answered for this leg, so nothing acknowledged is lost.
      });
    };

    /**
     * Runs `targets` in order (the next one on a failure, or alongside as a hedge) until one opens.
     * Throws a fatal error, CANCELED when the caller left, DEADLINE_EXCEEDED past the first-token bound.
     */
    const race = async (targets: readonly RouteTarget[], retry = false): Promise<OpenedTarget | undefined> => {
      const queue = [...targets];
      const running = new Set<Attempt>();
      let newest: Attempt | undefined;
      // A busy target's hedge is deferred: looked at again from this time (epoch ms), counted once.
      let recheckHedgeAt: number | undefined;
      let deferred = false;
      const launch = (hedge: boolean): void => {
        const target = queue.shift();
        if (!target) return;
        newest = start(target, hedge, retry);
        running.add(newest);
        recheckHedgeAt = undefined;
        deferred = false;
      };
      launch(false);
      try {
        while (running.size > 0) {
          const hedgeAfter = newest && running.has(newest) && queue.length > 0 ? deps.ttft?.hedgeAfterMs(newest.target.key) : undefined;
          const hedgeAt = hedgeAfter === undefined ? undefined : Math.max(newest!.startedAt + hedgeAfter, recheckHedgeAt ?? 0);
          const hedgeTimer = timer(hedgeAt === undefined ? undefined : hedgeAt - clock(), { kind: 'hedge' } as const);
          const boundTimer = timer(firstTokenBy === undefined ? undefined : firstTokenBy - clock(), { kind: 'bound' } as const);
          const event: RaceEvent = await Promise.race([
            ...[...running].map((attempt) => attempt.outcome.then((outcome) => ({ kind: 'settled', attempt, outcome }) as const)),
            hedgeTimer.promise,
            boundTimer.promise,
          ]);
          hedgeTimer.cancel();
          boundTimer.cancel();
          if (event.kind === 'bound') {
            // Busy, not silent: a running target answered someone since this attempt began. Once.
            const busyAt = firstTokenBound?.busyAt;
            if (busyAt !== undefined && busyAt > firstTokenBy! && [...running].some((a) => activity.lastFirstEventAt(a.target.key) > a.startedAt)) {
              firstTokenBy = busyAt;
              deps.metrics?.hedges?.inc({ outcome: 'bound_extended_busy' });
              continue;
            }
            const silent = [...running].map((a) => `${a.target.key}: no first token after ${clock() - a.startedAt} ms`);
            throw firstTokenBoundExceeded(`no backend produced a first token within ${firstTokenBound!.ms} ms: ${[...state.failures, ...silent].join('; ')}`, firstTokenBound!.ms);
          }
          if (event.kind === 'hedge') {
            // Busy, not failing: the target keeps producing first events for requests sent after
            // this one began, none of them sent a whole delay later. A second call elsewhere would
            // only double a burst's load (and send it to GPU); look again a quarter-delay later, and
            // hedge once the target falls silent or answers requests sent well after this one.
            if (activity.standing(newest!.target.key, newest!.startedAt, hedgeAfter!, clock()) === 'busy') {
              recheckHedgeAt = clock() + Math.max(50, Math.ceil(hedgeAfter! / 4));
              if (!deferred) deps.metrics?.hedges?.inc({ outcome: 'deferred_busy' });
              deferred = true;
              continue;
            }
            if (deps.hedgeBudget?.tryWithdraw() ?? false) {
              deps.metrics?.hedges?.inc({ outcome: 'started' });
              launch(true);
            } else {
              deps.metrics?.hedges?.inc({ outcome: 'budget_exhausted' });
              newest = undefined; // no second chance for this one: wait for its answer or its limit
            }
            continue;
          }
          const { attempt, outcome } = event;
          running.delete(attempt);
          if (outcome.kind === 'opened') {
            deps.ttft?.observe(attempt.target.key, clock() - attempt.startedAt);
            activity.opened(attempt.target.key, attempt.startedAt, clock());
            if (attempt.hedge) deps.metrics?.hedges?.inc({ outcome: 'hedge_won' });
            for (const other of running) abandon(other, true);
            running.clear();
            return { target: attempt.target, leg: attempt.leg, opened: outcome.opened, upstream: attempt.upstream, detach: attempt.detach };
          }
          if (ctx.signal.aborted) {
            attempt.detach();
            deps.accounting.release(p, attempt.leg);
            throw new ConnectError('client cancelled', Code.Canceled);
          }
          if (outcome.fatal) {
            attempt.detach();
            deps.accounting.release(p, attempt.leg);
            throw outcome.error;
          }
          noteFailure(attempt, outcome.error);
          if (running.size === 0 && queue.length > 0) {
            deps.metrics?.fallbacks.inc({ from: attempt.target.backend, to: queue[0]!.backend });
            launch(false);
          }
        }
        return undefined;
      } finally {
        for (const other of running) abandon(other, false);
      }
    };

    const got = await race(candidates);
    if (got || !allowRetry) return got;
    for (const [i, { target, retryAfterMs }] of retryable.entries()) {
      if (state.retries >= deps.maxRetries) break;
      const delay = retryDelayMs(state.retries, retryAfterMs, { random: deps.random });
      const deadline = ctx.timeoutMs();
      const bound = firstTokenBy === undefined ? undefined : firstTokenBy - clock();
      const left = deadline === undefined ? bound : bound === undefined ? deadline : Math.min(deadline, bound);
      // Honour Retry-After only when the answer can still arrive inside the caller's deadline and the bound.
      if (left !== undefined && delay + MIN_ANSWER_MS > left) continue;
      if (retryAfterMs !== undefined && retryAfterMs > deps.maxRetryAfterMs) continue;
      if (!deps.retryBudget.tryWithdraw()) {
        deps.metrics?.retries?.inc({ outcome: 'budget_exhausted' });
        break;
      }
      state.retries += 1;
      await abortableSleep(delay, ctx.signal);
      if (ctx.signal.aborted) throw new ConnectError('client cancelled', Code.Canceled);
      const again = await race([target], true);
      deps.metrics?.retries?.inc({ outcome: again ? 'ok' : 'failed' });
      if (again) {
        state.failed.delete(target.key);
        return again;
      }
      if (i === retryable.length - 1) break;
    }
    return undefined;
  };
}

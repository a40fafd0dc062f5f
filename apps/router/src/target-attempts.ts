import { Code, ConnectError, type Client, type HandlerContext } from '@connectrpc/connect';
import type { InferenceService, GenerateResponse as InferenceEvent } from '@sophia/contracts/inference';
import type { CatalogBackend } from '@sophia/price-catalog';
import { isBackendFailure, retryAfterMs } from '@sophia/platform/wire';
import type { Leg, LegAccounting } from './leg-accounting.ts';
import { effectiveProviderPrefs, PROVIDER_HEADER } from './provider-prefs.ts';
import type { PreparedRequest } from './request-preparer.ts';
import { retryDelayMs, type RetryBudget } from './retry-budget.ts';
import type { RouteTarget } from './route-plan.ts';
import type { RouterMetrics } from './router-metrics.ts';
import { inAttemptSpan, recordAttemptFailure } from './router-spans.ts';
import { EMPTY_POLICY, type RoutingPolicy } from './routing-policy.ts';
import { BreakerOpenError, type TargetBreakers } from './target-breakers.ts';

/** A backend stream that produced its first event; `provider` names the serverless provider answering ('' for GPU). */
export interface OpenedStream {
  readonly iterator: AsyncIterator<InferenceEvent>;
  readonly first: IteratorResult<InferenceEvent>;
  readonly provider: string;
}

/** The target that answered, its open stream, the controller that cuts it, and the unhook from the caller's signal. */
export interface OpenedTarget {
  readonly target: RouteTarget;
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
}

/** A fresh AttemptState for one Generate. */
export function newAttemptState(): AttemptState {
  return { count: 0, called: false, failures: [], failed: new Set(), retries: 0 };
}

/** What attempting targets uses. */
export interface TargetAttemptsDeps {
  readonly backends: Partial<Record<CatalogBackend, Client<typeof InferenceService>>>;
  readonly breakers: TargetBreakers;
  readonly accounting: LegAccounting;
  readonly policy?: (() => RoutingPolicy) | undefined;
  readonly metrics?: RouterMetrics | undefined;
  readonly maxRetries: number;
  readonly maxRetryAfterMs: number;
  readonly retryBudget: RetryBudget;
  readonly random: () => number;
}

/**
 * Opens the first candidate that produces a first event, each through its breaker. When every
 * candidate failed and no token reached the client yet, retryable failures (RESOURCE_EXHAUSTED
 * with its Retry-After, UNAVAILABLE with jittered backoff) get another try on the same target,
 * within the caller's deadline and the shared retry budget. Resolves undefined when nothing opened.
 */
export type OpenFirstTarget = (candidates: readonly RouteTarget[], p: PreparedRequest, leg: Leg, ctx: HandlerContext, state: AttemptState, allowRetry: boolean) => Promise<OpenedTarget | undefined>;

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

/** The "attempt targets" step: reserve, call through the breaker, fall back, retry. */
export function createTargetAttempts(deps: TargetAttemptsDeps): OpenFirstTarget {
  async function openStream(target: RouteTarget, p: PreparedRequest, leg: Leg, signal: AbortSignal): Promise<OpenedStream> {
    const client = deps.backends[target.backend];
    if (!client) throw new ConnectError(`no client for backend ${target.backend}`, Code.Unavailable);
    let provider = '';
    const prefs = target.backend === 'serverless' ? effectiveProviderPrefs(p.input.provider, deps.policy?.() ?? EMPTY_POLICY, p.input.tenant) : undefined;
    const stream = client.generate(
      {
        requestId: leg.requestId,
        model: target.model.id,
        messages: [...leg.messages],
        params: p.input.params,
        tenant: p.input.tenant,
        ...(prefs ? { provider: prefs } : {}),
      },
      // The serverless backend names the answering provider in a header sent with its first event.
      { signal, onHeader: (h) => void (provider = h.get(PROVIDER_HEADER) ?? '') },
    );
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    return { iterator, first, provider };
  }

  return async (candidates, p, leg, ctx, state, allowRetry) => {
    const retryable: Array<{ target: RouteTarget; retryAfterMs: number | undefined }> = [];
    const tryTarget = (target: RouteTarget, retry = false): Promise<OpenedTarget | undefined> =>
      inAttemptSpan(target, state.count + 1, deps.breakers.state(target.key), retry, () => attempt(target));
    const attempt = async (target: RouteTarget): Promise<OpenedTarget | undefined> => {
      state.count += 1;
      // An open breaker refuses at once: no point reserving for it.
      if (deps.breakers.state(target.key) !== 'open') await deps.accounting.reserve(p, leg, target);
      const upstream = new AbortController();
      const onAbort = (): void => upstream.abort(ctx.signal.reason);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const detach = (): void => ctx.signal.removeEventListener('abort', onAbort);
      try {
        const opened = await deps.breakers.fire(target.key, () => {
          state.called = true;
          return openStream(target, p, leg, upstream.signal);
        });
        return { target, opened, upstream, detach };
      } catch (err) {
        detach();
        upstream.abort();
        deps.accounting.release(p, leg);
        if (ctx.signal.aborted) throw new ConnectError('client cancelled', Code.Canceled);
        if (!(err instanceof BreakerOpenError) && !isBackendFailure(err)) throw err;
        const msg = err instanceof BreakerOpenError ? 'breaker open' : ConnectError.from(err).rawMessage;
        state.failures.push(`${target.key}: ${msg}`);
        recordAttemptFailure(target, msg);
        state.failed.add(target.key);
        if (!(err instanceof BreakerOpenError)) {
          const ce = ConnectError.from(err);
          if (ce.code === Code.ResourceExhausted || ce.code === Code.Unavailable) retryable.push({ target, retryAfterMs: retryAfterMs(ce) });
        }
        return undefined;
      }
    };
    for (const [i, target] of candidates.entries()) {
      const got = await tryTarget(target);
      if (got) return got;
      const next = candidates[i + 1];
      if (next) deps.metrics?.fallbacks.inc({ from: target.backend, to: next.backend });
    }
    if (!allowRetry) return undefined;
    for (const [i, { target, retryAfterMs }] of retryable.entries()) {
      if (state.retries >= deps.maxRetries) break;
      const delay = retryDelayMs(state.retries, retryAfterMs, { random: deps.random });
      const left = ctx.timeoutMs();
      // Honour Retry-After only when the answer can still arrive inside the caller's deadline.
      if (left !== undefined && delay + MIN_ANSWER_MS > left) continue;
      if (retryAfterMs !== undefined && retryAfterMs > deps.maxRetryAfterMs) continue;
      if (!deps.retryBudget.tryWithdraw()) {
        deps.metrics?.retries?.inc({ outcome: 'budget_exhausted' });
        break;
      }
      state.retries += 1;
      await abortableSleep(delay, ctx.signal);
      if (ctx.signal.aborted) throw new ConnectError('client cancelled', Code.Canceled);
      const got = await tryTarget(target, true);
      deps.metrics?.retries?.inc({ outcome: got ? 'ok' : 'failed' });
      if (got) {
        state.failed.delete(target.key);
        return got;
      }
      if (i === retryable.length - 1) break;
    }
    return undefined;
  };
}

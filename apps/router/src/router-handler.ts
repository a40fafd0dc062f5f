import { Code, ConnectError, type Client, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { type ClassifierService, type ClassifyResponse } from '@sophia/contracts/classifier';
import { MoneySchema, RoutingDecisionSchema, UsageSchema, type ChatMessage, type RoutingDecision, type Usage } from '@sophia/contracts/common';
import { type InferenceService, type GenerateResponse as InferenceEvent } from '@sophia/contracts/inference';
import { type LedgerService } from '@sophia/contracts/ledger';
import { type RouterService, type GenerateResponseSchema, type RouteInput } from '@sophia/contracts/router';
import { breakerStatusToProto } from './breaker-status-proto.ts';
import { effectiveProviderPrefs, PROVIDER_HEADER } from './provider-prefs.ts';
import { backendToProto, priceUsage, tierFromProto, tierToProto, worstCase, type CatalogBackend, type PriceCatalog } from '@sophia/price-catalog';
import type { Logger } from 'pino';
import { isBackendFailure } from './backend-failure.ts';
import { continuationMessages } from './continuation-messages.ts';
import { createRetryBudget, retryDelayMs, type RetryBudget } from './retry-budget.ts';
import { estimatePartialUsage } from './partial-usage.ts';
import { countTokensLazily } from './token-count.ts';
import { validateRouteInput } from './route-input.ts';
import { NO_BUDGET_HEADROOM, type BudgetHeadroom } from './budget-headroom.ts';
import type { CapacitySnapshot } from './capacity-snapshot.ts';
import { createOverrideAdmin, type OverrideAuditSink } from './override-admin.ts';
import type { OverrideStore } from './override-store.ts';
import { InvalidQualityTargetError } from './quality-target.ts';
import { planRequest } from './request-planner.ts';
import { reasonCode, UnknownModelError, type RoutePlan, type RouteTarget } from './route-plan.ts';
import { EMPTY_POLICY, type RoutingPolicy } from './routing-policy.ts';
import type { RouterMetrics } from './router-metrics.ts';
import { BreakerOpenError, type TargetBreakers } from './target-breakers.ts';

/** What the router needs; all injected so tests use in-memory fakes. */
export interface RouterDeps {
  readonly catalog: () => PriceCatalog;
  readonly classifier?: Client<typeof ClassifierService> | undefined;
  readonly ledger?: Client<typeof LedgerService> | undefined;
  readonly backends: Partial<Record<CatalogBackend, Client<typeof InferenceService>>>;
  readonly breakers: TargetBreakers;
  readonly logger: Logger;
  readonly metrics?: RouterMetrics | undefined;
  /** Budget for the classifier call before routing on the default tier. @default 250 */
  readonly classifierTimeoutMs?: number;
  /** The live routing policy. @default no policy: classifier tier, serverless first */
  readonly policy?: (() => RoutingPolicy) | undefined;
  /** Where overrides live: SQLite in the data directory (embedded) or Redis (shared by replicas). */
  readonly overrides: OverrideStore;
  /** Tenant budget position for the step-down rule. @default none known */
  readonly headroom?: BudgetHeadroom | undefined;
  /** Cached GPU pool capacity (from the background poller). @default unknown */
  readonly capacity?: (() => CapacitySnapshot | undefined) | undefined;
  readonly clock?: (() => number) | undefined;
  /** Durable audit trail for override changes (besides the audit log line). @default log only */
  readonly audit?: OverrideAuditSink | undefined;
  /** Rescues of a stream broken after its first token (continued on the next target). @default 0 = explicit error */
  readonly maxRescues?: number;
  /** Retries of a failed target, only before the first token and when every target failed. @default 1 */
  readonly maxRetries?: number;
  /** A Retry-After longer than this is not waited for. @default 2000 */
  readonly maxRetryAfterMs?: number;
  /** Shared retry budget. @default 10 % of requests, 10 saved */
  readonly retryBudget?: RetryBudget | undefined;
  readonly random?: (() => number) | undefined;
}

interface Prepared {
  readonly input: RouteInput;
  readonly classification: ClassifyResponse | undefined;
  readonly plan: RoutePlan;
  readonly promptTokens: number;
}

/** A backend stream that produced its first event; `provider` names the serverless provider answering ('' for GPU). */
type OpenedStream = { iterator: AsyncIterator<InferenceEvent>; first: IteratorResult<InferenceEvent>; provider: string };

/** One upstream leg: the original request, or a rescue continuing a broken stream. */
interface Leg {
  readonly requestId: string;
  readonly messages: readonly ChatMessage[];
  readonly promptTokens: number;
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

function promptText(input: RouteInput): string {
  return input.messages.map((m) => m.content).join('\n');
}

/**
 * RouterService: classify → plan (tier → model → backend order) → stream from the first target that
 * produces a first event, falling back on backend failures before any token reached the caller
 * (then retrying within the deadline and the retry budget). After the first token a broken stream
 * is rescued on the next target (with the partial answer as context, when `maxRescues` > 0) or ends
 * with an explicit error — never a truncated success; every leg is billed.
 */
export function createRouterHandler(deps: RouterDeps): ServiceImpl<typeof RouterService> {
  const available = new Set(Object.keys(deps.backends) as CatalogBackend[]);
  const clock = deps.clock ?? Date.now;
  const maxRescues = deps.maxRescues ?? 0;
  const maxRetries = deps.maxRetries ?? 1;
  const maxRetryAfterMs = deps.maxRetryAfterMs ?? 2000;
  const retryBudget = deps.retryBudget ?? createRetryBudget();
  const random = deps.random ?? Math.random;
  const { overrides } = deps;
  const plannerDeps = {
    catalog: deps.catalog,
    policy: deps.policy ?? (() => EMPTY_POLICY),
    overrides,
    headroom: deps.headroom ?? NO_BUDGET_HEADROOM,
    capacity: deps.capacity ?? (() => undefined),
    breakerState: (k: string) => deps.breakers.state(k),
    backendsAvailable: available,
    clock,
    logger: deps.logger,
  };

  async function classify(input: RouteInput, signal: AbortSignal): Promise<ClassifyResponse | undefined> {
    if (!deps.classifier) return undefined;
    try {
      return await deps.classifier.classify({ messages: input.messages }, { timeoutMs: deps.classifierTimeoutMs ?? 250, signal });
    } catch (err) {
      if (signal.aborted) throw new ConnectError('client cancelled', Code.Canceled);
      deps.logger.warn({ err: (err as Error).message }, 'classifier unavailable: routing on the default tier');
      return undefined;
    }
  }

  async function prepare(raw: RouteInput | undefined, ctx: HandlerContext, claim: boolean): Promise<Prepared> {
    const input = validateRouteInput(raw);
    if (!input.requestId) input.requestId = ctx.requestHeader.get('x-request-id') ?? crypto.randomUUID();
    const explicit = input.model.trim() !== '' && input.model !== 'auto';
    const classification = explicit ? undefined : await classify(input, ctx.signal);
    let plan: RoutePlan;
    try {
      plan = await planRequest(
        plannerDeps,
        {
          requestId: input.requestId,
          tenant: input.tenant,
          workloadTag: input.workloadTag,
          explicitModel: input.model,
          qualityTarget: input.qualityTarget,
          classifiedTier: classification ? tierFromProto(classification.tier) : undefined,
          score: classification?.score,
        },
        claim,
      );
    } catch (err) {
      if (err instanceof UnknownModelError) throw new ConnectError(`input.model: ${err.message}`, Code.NotFound);
      if (err instanceof InvalidQualityTargetError) throw new ConnectError(`input.quality_target: ${err.message}`, Code.InvalidArgument);
      throw err;
    }
    const promptTokens = classification?.promptTokens ?? (await countTokensLazily(promptText(input)));
    return { input, classification, plan, promptTokens };
  }

  function decisionFor(p: Prepared, target: RouteTarget | undefined, extra: Pick<MessageInitShape<typeof RoutingDecisionSchema>, 'fallback' | 'attempts' | 'reasons' | 'provider'> = {}): RoutingDecision {
    const catalog = deps.catalog();
    const maxTokens = p.input.params?.maxTokens ?? target?.model.maxOutputTokens ?? 0;
    const estimated = target ? worstCase(catalog, target.model.id, target.backend, p.promptTokens, maxTokens) : 0;
    return create(RoutingDecisionSchema, {
      tier: tierToProto(p.plan.tier),
      taskType: p.classification?.taskType ?? 0,
      score: p.classification?.score ?? 0,
      model: target?.model.id ?? '',
      backend: target ? backendToProto(target.backend) : 0,
      target: target?.key ?? '',
      reasons: [...p.plan.reasons],
      estimatedCost: { microUsd: BigInt(estimated) },
      ...extra,
    });
  }

  async function openStream(target: RouteTarget, p: Prepared, leg: Leg, signal: AbortSignal): Promise<OpenedStream> {
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

  /**
   * Reserves the worst case of this leg on this target before calling it (ledger Reserve: prompt
   * tokens + max_tokens at list price, atomic against every budget of the tenant). Over budget is
   * the client's answer (RESOURCE_EXHAUSTED naming budget, spend and reset). A ledger that cannot
   * be reached does not stop traffic: the call proceeds unreserved and the failure is logged.
   */
  async function reserve(p: Prepared, leg: Leg, target: RouteTarget): Promise<void> {
    if (!deps.ledger) return;
    try {
      await deps.ledger.reserve(
        {
          requestId: leg.requestId,
          tenant: p.input.tenant,
          model: target.model.id,
          backend: backendToProto(target.backend),
          promptTokens: p.promptTokens,
          maxTokens: p.input.params?.maxTokens ?? 0,
        },
        { timeoutMs: 1000 },
      );
    } catch (err) {
      const ce = ConnectError.from(err);
      if (ce.code === Code.ResourceExhausted) throw new ConnectError(ce.rawMessage, Code.ResourceExhausted, ce.metadata);
      // The ledger's SOPHIA_REDIS_OUTAGE=refuse: its budget store is down and it asks not to serve unreserved.
      if (ce.code === Code.Unavailable && ce.metadata.get('sophia-outage') === 'refuse') throw new ConnectError(ce.rawMessage, Code.Unavailable);
      deps.logger.error({ err: ce.rawMessage, requestId: leg.requestId }, 'ledger reserve failed: calling upstream without a reservation');
    }
  }

  /** Frees a leg's reservation after a failure before any token (the next target reserves anew). */
  function release(p: Prepared, leg: Leg): void {
    if (!deps.ledger) return;
    deps.ledger.release({ reservationId: leg.requestId, tenant: p.input.tenant }, { timeoutMs: 1000 }).catch((err: unknown) => {
      deps.logger.warn({ err: ConnectError.from(err).rawMessage, requestId: leg.requestId }, 'ledger release failed: the reservation expires by its TTL');
    });
  }

  /** Commits a leg's real usage (settling its reservation) and returns its cost. */
  async function recordUsage(p: Prepared, leg: Leg, target: RouteTarget, usage: Usage, decision: RoutingDecision, startedAt: number, completed: boolean): Promise<bigint> {
    let cost = BigInt(priceUsage(deps.catalog(), target.model.id, target.backend, usage, decision.provider || undefined));
    if (!deps.ledger) return cost;
    try {
      const res = await deps.ledger.commit(
        {
          reservationId: leg.requestId,
          event: {
            requestId: leg.requestId,
            tenant: p.input.tenant,
            model: target.model.id,
            backend: backendToProto(target.backend),
            tier: decision.tier,
            usage,
            time: timestampNow(),
            latencyMs: Date.now() - startedAt,
            fallback: decision.fallback,
            workloadTag: p.input.workloadTag,
            completed,
            target: target.key,
            provider: decision.provider,
          },
        },
        { timeoutMs: 2000 },
      );
      if (res.cost) cost = res.cost.microUsd;
    } catch (err) {
      deps.logger.error({ err: (err as Error).message, requestId: leg.requestId }, 'ledger commit failed: usage kept in logs only');
    }
    return cost;
  }

  /** Shared state of one Generate across its attempts and legs. */
  interface Attempts {
    count: number;
    /** A backend was actually called (not just reserved for, or skipped at an open breaker). */
    called: boolean;
    readonly failures: string[];
    readonly failed: Set<string>;
    retries: number;
  }

  /**
   * Opens the first candidate that produces a first event, each through its breaker. When every
   * candidate failed and no token reached the client yet, retryable failures (RESOURCE_EXHAUSTED
   * with its Retry-After, UNAVAILABLE with jittered backoff) get another try on the same target,
   * within the caller's deadline and the shared retry budget. Returns undefined when nothing opened.
   */
  async function openFirst(
    candidates: readonly RouteTarget[],
    p: Prepared,
    leg: Leg,
    ctx: HandlerContext,
    state: Attempts,
    allowRetry: boolean,
  ): Promise<{ target: RouteTarget; opened: OpenedStream; upstream: AbortController; detach: () => void } | undefined> {
    const retryable: Array<{ target: RouteTarget; retryAfterMs: number | undefined }> = [];
    const tryTarget = async (target: RouteTarget): Promise<{ target: RouteTarget; opened: OpenedStream; upstream: AbortController; detach: () => void } | undefined> => {
      state.count += 1;
      // An open breaker refuses at once: no point reserving for it.
      if (deps.breakers.state(target.key) !== 'open') await reserve(p, leg, target);
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
        release(p, leg);
        if (ctx.signal.aborted) throw new ConnectError('client cancelled', Code.Canceled);
        if (!(err instanceof BreakerOpenError) && !isBackendFailure(err)) throw err;
        const msg = err instanceof BreakerOpenError ? 'breaker open' : ConnectError.from(err).rawMessage;
        state.failures.push(`${target.key}: ${msg}`);
        state.failed.add(target.key);
        if (!(err instanceof BreakerOpenError)) {
          const ce = ConnectError.from(err);
          if (ce.code === Code.ResourceExhausted || ce.code === Code.Unavailable) {
            const header = ce.metadata.get('retry-after-ms');
            retryable.push({ target, retryAfterMs: header !== null && /^\d+$/.test(header) ? Number(header) : undefined });
          }
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
      if (state.retries >= maxRetries) break;
      const delay = retryDelayMs(state.retries, retryAfterMs, { random });
      const left = ctx.timeoutMs();
      // Honour Retry-After only when the answer can still arrive inside the caller's deadline.
      if (left !== undefined && delay + MIN_ANSWER_MS > left) continue;
      if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) continue;
      if (!retryBudget.tryWithdraw()) {
        deps.metrics?.retries?.inc({ outcome: 'budget_exhausted' });
        break;
      }
      state.retries += 1;
      await abortableSleep(delay, ctx.signal);
      if (ctx.signal.aborted) throw new ConnectError('client cancelled', Code.Canceled);
      const got = await tryTarget(target);
      deps.metrics?.retries?.inc({ outcome: got ? 'ok' : 'failed' });
      if (got) {
        state.failed.delete(target.key);
        return got;
      }
      if (i === retryable.length - 1) break;
    }
    return undefined;
  }

  async function* generate(req: { input?: RouteInput | undefined }, ctx: HandlerContext): AsyncGenerator<MessageInitShape<typeof GenerateResponseSchema>> {
    // Counted down on whichever comes first: the generator finishing, or the call being cancelled
    // (a transport may never resume a cancelled generator, so `finally` alone could leak).
    deps.metrics?.inFlight?.inc();
    let counted = true;
    const release = (): void => {
      if (!counted) return;
      counted = false;
      deps.metrics?.inFlight?.dec();
    };
    ctx.signal.addEventListener('abort', release, { once: true });
    try {
      yield* generateInner(req, ctx);
    } finally {
      ctx.signal.removeEventListener('abort', release);
      release();
    }
  }

  async function* generateInner(req: { input?: RouteInput | undefined }, ctx: HandlerContext): AsyncGenerator<MessageInitShape<typeof GenerateResponseSchema>> {
    const startedAt = Date.now();
    const p = await prepare(req.input, ctx, true);
    const first = p.plan.targets[0];
    if (!first) {
      await refundClaims(p);
      throw new ConnectError(`no backend serves tier ${p.plan.tier} (backends configured: ${[...available].join(', ') || 'none'})`, Code.Unavailable);
    }
    retryBudget.deposit();
    deps.metrics?.decisions.inc({ tier: p.plan.tier, backend: first.backend, model: first.model.id, reason: reasonCode(p.plan.reasons[0] ?? 'none') });
    for (const code of new Set(p.plan.reasons.map(reasonCode))) deps.metrics?.reasons.inc({ reason: code });
    deps.logger.info({ requestId: p.input.requestId, tenant: p.input.tenant, tier: p.plan.tier, target: first.key, reasons: p.plan.reasons }, 'routing decision');

    const state: Attempts = { count: 0, called: false, failures: [], failed: new Set(), retries: 0 };
    try {
      yield* serve(p, ctx, state, startedAt);
    } catch (err) {
      // Refused before any backend was called (over budget, cancelled): a counted override this
      // request claimed ("next N to GPU") did not route it, so the use goes back.
      if (!state.called) await refundClaims(p);
      throw err;
    }
  }

  async function refundClaims(p: Prepared): Promise<void> {
    for (const o of p.plan.overrides) {
      if (o.remaining === undefined) continue;
      try {
        await overrides.refund(o);
        deps.logger.info({ requestId: p.input.requestId, override: o.id }, 'override use refunded: the request was refused before any backend call');
      } catch (err) {
        deps.logger.warn({ err: (err as Error).message, override: o.id }, 'override refund failed: one use is lost');
      }
    }
  }

  async function* serve(p: Prepared, ctx: HandlerContext, state: Attempts, startedAt: number): AsyncGenerator<MessageInitShape<typeof GenerateResponseSchema>> {
    // Text the client has received, across legs; billed legs (the first, then rescues).
    let delivered = '';
    const billed: Array<{ usage: Usage; cost: bigint }> = [];
    const extraReasons: string[] = [];
    let rescues = 0;
    let decisionSent = false;
    let broken: { target: RouteTarget; cause: string } | undefined;
    for (;;) {
      const leg: Leg =
        rescues === 0
          ? { requestId: p.input.requestId, messages: p.input.messages, promptTokens: p.promptTokens }
          : await (async () => {
              const messages = continuationMessages(p.input.messages, delivered);
              return { requestId: `${p.input.requestId}:rescue${rescues}`, messages, promptTokens: await countTokensLazily(messages.map((m) => m.content).join('\n')) };
            })();
      const candidates = p.plan.targets.filter((t) => !state.failed.has(t.key));
      const got = await openFirst(candidates, p, leg, ctx, state, delivered.length === 0);
      if (!got) {
        if (broken) {
          deps.metrics?.rescues?.inc({ outcome: 'failed' });
          throw new ConnectError(`${broken.target.key} failed after the first token: ${broken.cause}; rescue failed: ${state.failures.slice(-candidates.length).join('; ') || 'no other target'}`, Code.Unavailable);
        }
        deps.metrics?.outcomes.inc({ backend: 'none', outcome: 'failed' });
        throw new ConnectError(`all backends failed for tier ${p.plan.tier}: ${state.failures.join('; ')}`, Code.Unavailable);
      }
      const { target, opened, upstream, detach } = got;
      const fallback = state.count > 1 || rescues > 0;
      if (state.count > 1 && rescues === 0) extraReasons.push(`fallback:${target.key}`);
      const reasons = (): string[] => [...p.plan.reasons, ...extraReasons];
      if (!decisionSent) {
        // Sent once a target produced its first event, so a total failure before any token stays a
        // plain error status (the gateway then answers with an HTTP error, not a broken stream).
        decisionSent = true;
        yield { event: { case: 'decision', value: decisionFor(p, target, { fallback, attempts: state.count, reasons: reasons(), provider: opened.provider }) } };
      }
      let legText = '';
      let done: Extract<InferenceEvent['event'], { case: 'done' }>['value'] | undefined;
      let failure: unknown;
      // Accounting must not depend on the consumer: a transport may stop pulling a cancelled stream
      // without ever resuming this generator, so cancellation settles the bill from the abort event.
      let settled: Promise<bigint> | undefined;
      const settle = (): Promise<bigint> =>
        (settled ??= (async () => {
          const completed = done !== undefined;
          if (!completed) upstream.abort();
          const usage = done?.usage ?? create(UsageSchema, await estimatePartialUsage(leg.promptTokens, legText));
          const decision = decisionFor(p, target, { fallback, attempts: state.count, reasons: reasons(), provider: opened.provider });
          const cost = await recordUsage(p, leg, target, usage, decision, startedAt, completed);
          billed.push({ usage, cost });
          deps.metrics?.outcomes.inc({ backend: target.backend, outcome: completed ? (rescues > 0 ? 'rescued' : 'ok') : ctx.signal.aborted ? 'cancelled' : 'mid_stream_error' });
          return cost;
        })());
      const onCancel = (): void => void settle();
      ctx.signal.addEventListener('abort', onCancel, { once: true });
      try {
        let step = opened.first;
        while (!step.done) {
          const ev = step.value.event;
          if (ev.case === 'delta') {
            legText += ev.value.text;
            delivered += ev.value.text;
            yield { event: { case: 'delta', value: ev.value.text } };
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
        await settle();
      }
      if (done) {
        deps.breakers.recordSuccess(target.key);
        if (rescues > 0) deps.metrics?.rescues?.inc({ outcome: 'ok' });
        const usage = create(UsageSchema, {
          promptTokens: billed.reduce((n, b) => n + b.usage.promptTokens, 0),
          completionTokens: billed.reduce((n, b) => n + b.usage.completionTokens, 0),
          totalTokens: billed.reduce((n, b) => n + b.usage.totalTokens, 0),
        });
        const decision = decisionFor(p, target, { fallback, attempts: state.count, reasons: reasons(), provider: opened.provider });
        decision.cost = create(MoneySchema, { microUsd: billed.reduce((n, b) => n + b.cost, 0n) });
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
      if (rescues >= maxRescues) {
        throw new ConnectError(`${target.key} failed after the first token: ${cause}`, Code.Unavailable);
      }
      rescues += 1;
      broken = { target, cause };
      extraReasons.push(`rescue:${target.key}`);
      deps.logger.warn({ requestId: p.input.requestId, target: target.key, err: cause, deliveredChars: delivered.length }, 'stream broke after the first token: rescuing on the next target');
    }
  }

  return {
    generate,
    ...createOverrideAdmin(overrides, deps.logger, clock, deps.audit),
    getBreakers() {
      return { breakers: deps.breakers.snapshot().map(breakerStatusToProto) };
    },
    async explain(req, ctx) {
      const p = await prepare(req.input, ctx, false);
      return {
        decision: decisionFor(p, p.plan.targets[0]),
        classification: p.classification,
        plan: p.plan.targets.map((t) => t.key),
      };
    },
    listModels() {
      const catalog = deps.catalog();
      return {
        models: catalog.models.map((m) => ({
          id: m.id,
          tier: tierToProto(m.tier),
          backends: (['serverless', 'gpu'] as const).filter((b) => (b === 'serverless' ? m.serverless : m.gpu) !== undefined && available.has(b)).map(backendToProto),
          ownedBy: m.ownedBy,
        })),
      };
    },
  };
}

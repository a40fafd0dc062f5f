import { Code, ConnectError, type Client, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { type ClassifierService, type ClassifyResponse } from '@sophia/contracts/classifier';
import { MoneySchema, RoutingDecisionSchema, UsageSchema, type RoutingDecision, type Usage } from '@sophia/contracts/common';
import { type InferenceService, type GenerateResponse as InferenceEvent } from '@sophia/contracts/inference';
import { type LedgerService } from '@sophia/contracts/ledger';
import { type RouterService, type GenerateResponseSchema, type RouteInput } from '@sophia/contracts/router';
import { backendToProto, priceUsage, tierFromProto, tierToProto, worstCase, type CatalogBackend, type PriceCatalog } from '@sophia/price-catalog';
import { countTokens } from 'gpt-tokenizer';
import type { Logger } from 'pino';
import { isBackendFailure } from './backend-failure.ts';
import { estimatePartialUsage } from './partial-usage.ts';
import { validateRouteInput } from './route-input.ts';
import { NO_BUDGET_HEADROOM, type BudgetHeadroom } from './budget-headroom.ts';
import type { CapacitySnapshot } from './capacity-snapshot.ts';
import { createMemoryOverrideStore } from './memory-override-store.ts';
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
  /** Where overrides live. @default an in-process store (this replica only) */
  readonly overrides?: OverrideStore | undefined;
  /** Tenant budget position for the step-down rule. @default none known */
  readonly headroom?: BudgetHeadroom | undefined;
  /** Cached GPU pool capacity (from the background poller). @default unknown */
  readonly capacity?: (() => CapacitySnapshot | undefined) | undefined;
  readonly clock?: (() => number) | undefined;
  /** Durable audit trail for override changes (besides the audit log line). @default log only */
  readonly audit?: OverrideAuditSink | undefined;
}

interface Prepared {
  readonly input: RouteInput;
  readonly classification: ClassifyResponse | undefined;
  readonly plan: RoutePlan;
  readonly promptTokens: number;
}

type OpenedStream = { iterator: AsyncIterator<InferenceEvent>; first: IteratorResult<InferenceEvent> };

function promptText(input: RouteInput): string {
  return input.messages.map((m) => m.content).join('\n');
}

/**
 * RouterService: classify → plan (tier → model → backend order) → stream from the first target that
 * produces a first event, falling back on backend failures before any token reached the caller.
 * After the first token a broken stream ends with an explicit error (never a truncated success);
 * tokens already generated are billed either way.
 */
export function createRouterHandler(deps: RouterDeps): ServiceImpl<typeof RouterService> {
  const available = new Set(Object.keys(deps.backends) as CatalogBackend[]);
  const clock = deps.clock ?? Date.now;
  const overrides = deps.overrides ?? createMemoryOverrideStore(clock);
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
    const promptTokens = classification?.promptTokens ?? countTokens(promptText(input));
    return { input, classification, plan, promptTokens };
  }

  function decisionFor(p: Prepared, target: RouteTarget | undefined, extra: Pick<MessageInitShape<typeof RoutingDecisionSchema>, 'fallback' | 'attempts' | 'reasons'> = {}): RoutingDecision {
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

  async function openStream(target: RouteTarget, p: Prepared, signal: AbortSignal): Promise<OpenedStream> {
    const client = deps.backends[target.backend];
    if (!client) throw new ConnectError(`no client for backend ${target.backend}`, Code.Unavailable);
    const stream = client.generate(
      {
        requestId: p.input.requestId,
        model: target.model.id,
        messages: p.input.messages,
        params: p.input.params,
        tenant: p.input.tenant,
      },
      { signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    return { iterator, first };
  }

  async function recordUsage(p: Prepared, target: RouteTarget, usage: Usage, decision: RoutingDecision, startedAt: number, completed: boolean): Promise<bigint> {
    let cost = BigInt(priceUsage(deps.catalog(), target.model.id, target.backend, usage));
    if (!deps.ledger) return cost;
    try {
      const res = await deps.ledger.recordUsage(
        {
          event: {
            requestId: p.input.requestId,
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
          },
        },
        { timeoutMs: 2000 },
      );
      if (res.cost) cost = res.cost.microUsd;
    } catch (err) {
      deps.logger.error({ err: (err as Error).message, requestId: p.input.requestId }, 'ledger record failed: usage kept in logs only');
    }
    return cost;
  }

  async function* generate(req: { input?: RouteInput | undefined }, ctx: HandlerContext): AsyncGenerator<MessageInitShape<typeof GenerateResponseSchema>> {
    const startedAt = Date.now();
    const p = await prepare(req.input, ctx, true);
    const first = p.plan.targets[0];
    if (!first) {
      throw new ConnectError(`no backend serves tier ${p.plan.tier} (backends configured: ${[...available].join(', ') || 'none'})`, Code.Unavailable);
    }
    const initial = decisionFor(p, first);
    deps.metrics?.decisions.inc({ tier: p.plan.tier, backend: first.backend, model: first.model.id, reason: reasonCode(p.plan.reasons[0] ?? 'none') });
    for (const code of new Set(p.plan.reasons.map(reasonCode))) deps.metrics?.reasons.inc({ reason: code });
    deps.logger.info({ requestId: p.input.requestId, tenant: p.input.tenant, tier: p.plan.tier, target: first.key, reasons: p.plan.reasons }, 'routing decision');
    yield { event: { case: 'decision', value: initial } };

    const failures: string[] = [];
    let attempts = 0;
    for (const target of p.plan.targets) {
      attempts += 1;
      const upstream = new AbortController();
      const onAbort = (): void => upstream.abort(ctx.signal.reason);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      let opened: OpenedStream;
      try {
        opened = await deps.breakers.fire(target.key, () => openStream(target, p, upstream.signal));
      } catch (err) {
        ctx.signal.removeEventListener('abort', onAbort);
        upstream.abort();
        if (ctx.signal.aborted) throw new ConnectError('client cancelled', Code.Canceled);
        if (err instanceof BreakerOpenError || isBackendFailure(err)) {
          const msg = err instanceof BreakerOpenError ? 'breaker open' : ConnectError.from(err).rawMessage;
          failures.push(`${target.key}: ${msg}`);
          const next = p.plan.targets[attempts];
          if (next) deps.metrics?.fallbacks.inc({ from: target.backend, to: next.backend });
          continue;
        }
        throw err;
      }
      const fallback = attempts > 1;
      const reasons = fallback ? [...p.plan.reasons, `fallback:${target.key}`] : [...p.plan.reasons];
      let text = '';
      let done: Extract<InferenceEvent['event'], { case: 'done' }>['value'] | undefined;
      let failure: unknown;
      // Accounting must not depend on the consumer: a transport may stop pulling a cancelled stream
      // without ever resuming this generator, so cancellation settles the bill from the abort event.
      let settled: Promise<RoutingDecision> | undefined;
      const settle = (): Promise<RoutingDecision> =>
        (settled ??= (async () => {
          const completed = done !== undefined;
          if (!completed) upstream.abort();
          const usage = done?.usage ?? create(UsageSchema, estimatePartialUsage(p.promptTokens, text));
          const decision = decisionFor(p, target, { fallback, attempts, reasons });
          decision.cost = create(MoneySchema, { microUsd: await recordUsage(p, target, usage, decision, startedAt, completed) });
          deps.metrics?.outcomes.inc({ backend: target.backend, outcome: completed ? 'ok' : ctx.signal.aborted ? 'cancelled' : 'mid_stream_error' });
          return decision;
        })());
      const onCancel = (): void => void settle();
      ctx.signal.addEventListener('abort', onCancel, { once: true });
      let final: { usage: Usage; finishReason: string; decision: RoutingDecision } | undefined;
      try {
        let step = opened.first;
        while (!step.done) {
          const ev = step.value.event;
          if (ev.case === 'delta') {
            text += ev.value.text;
            yield { event: { case: 'delta', value: ev.value.text } };
          } else if (ev.case === 'done') {
            done = ev.value;
          }
          step = await opened.iterator.next();
        }
      } catch (err) {
        failure = err;
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
        ctx.signal.removeEventListener('abort', onCancel);
        const decision = await settle();
        if (done && decision.cost !== undefined) final = { usage: done.usage ?? create(UsageSchema), finishReason: done.finishReason, decision };
      }
      if (final) {
        yield { event: { case: 'done', value: final } };
        return;
      }
      if (ctx.signal.aborted) throw new ConnectError('client cancelled', Code.Canceled);
      const cause = failure ? ConnectError.from(failure).rawMessage : 'stream ended without a final event';
      throw new ConnectError(
        `${target.key} failed after ${text.length > 0 ? 'the first token' : 'opening the stream'}: ${cause}`,
        Code.Unavailable,
      );
    }
    deps.metrics?.outcomes.inc({ backend: 'none', outcome: 'failed' });
    throw new ConnectError(`all backends failed for tier ${p.plan.tier}: ${failures.join('; ')}`, Code.Unavailable);
  }

  return {
    generate,
    ...createOverrideAdmin(overrides, deps.logger, clock, deps.audit),
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

import { Code, ConnectError, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { RouterService, GenerateResponseSchema, RouteInput } from '@sophia/contracts/router';
import type { CatalogBackend } from '@sophia/price-catalog';
import { NO_BUDGET_HEADROOM } from './budget-headroom.ts';
import { createLegAccounting } from './leg-accounting.ts';
import { createLegStreamer } from './leg-streamer.ts';
import { createRequestPreparer } from './request-preparer.ts';
import { createRetryBudget } from './retry-budget.ts';
import { ROUTER_DEFAULTS } from './router-config.ts';
import { reasonCode } from './route-plan.ts';
import { createRouterAdmin } from './router-admin.ts';
import type { RouterDeps } from './router-deps.ts';
import { createDecisionBuilder } from './routing-decision.ts';
import { createEmbedHandler } from './embed-handler.ts';
import { EMPTY_POLICY } from './routing-policy.ts';
import { createTargetAttempts, newAttemptState } from './target-attempts.ts';
import { inRouteSpan, traceAccounting } from './router-spans.ts';

export type { RouterDeps } from './router-deps.ts';

type GenerateEvent = MessageInitShape<typeof GenerateResponseSchema>;

/**
 * RouterService: prepare (validate, classify, plan) → stream from the first target that produces a
 * first event, falling back on backend failures before any token reached the caller (then retrying
 * within the deadline and the retry budget). After the first token a broken stream is rescued on
 * the next target (with the partial answer as context, when `maxRescues` > 0) or ends with an
 * explicit error — never a truncated success; every leg is billed. The steps live in their own
 * modules: request-preparer (prepare), routing-decision (decide), leg-accounting (account),
 * target-attempts (attempt targets), leg-streamer (stream legs and rescue), router-admin (admin).
 */
export function createRouterHandler(deps: RouterDeps): ServiceImpl<typeof RouterService> {
  const available = new Set(Object.keys(deps.backends) as CatalogBackend[]);
  const clock = deps.clock ?? Date.now;
  const retryBudget = deps.retryBudget ?? createRetryBudget({ ratio: ROUTER_DEFAULTS.SOPHIA_ROUTER_RETRY_BUDGET_RATIO });
  const { logger, metrics, breakers, overrides } = deps;
  const preparer = createRequestPreparer({
    classifier: deps.classifier,
    classifierTimeoutMs: deps.classifierTimeoutMs ?? ROUTER_DEFAULTS.SOPHIA_CLASSIFIER_TIMEOUT_MS,
    overrides,
    logger,
    planner: {
      catalog: deps.catalog,
      policy: deps.policy ?? (() => EMPTY_POLICY),
      overrides,
      headroom: deps.headroom ?? NO_BUDGET_HEADROOM,
      capacity: deps.capacity ?? (() => undefined),
      breakerState: (k: string) => breakers.state(k),
      backendsAvailable: available,
      clock,
      logger,
    },
  });
  const decide = createDecisionBuilder(deps.catalog);
  const accounting = traceAccounting(createLegAccounting({ catalog: deps.catalog, ledger: deps.ledger, logger, budgetOutage: deps.budgetOutage ?? 'serve' }));
  const openFirst = createTargetAttempts({
    backends: deps.backends,
    breakers,
    accounting,
    decide,
    ttft: deps.ttft,
    hedgeBudget: deps.hedgeBudget,
    tokenMix: deps.tokenMix,
    policy: deps.policy,
    metrics,
    maxRetries: deps.maxRetries ?? ROUTER_DEFAULTS.SOPHIA_ROUTER_MAX_RETRIES,
    maxRetryAfterMs: deps.maxRetryAfterMs ?? ROUTER_DEFAULTS.SOPHIA_ROUTER_MAX_RETRY_AFTER_MS,
    retryBudget,
    random: deps.random ?? Math.random,
  });
  const serve = createLegStreamer({ openFirst, accounting, decide, breakers, logger, metrics, maxRescues: deps.maxRescues ?? ROUTER_DEFAULTS.SOPHIA_ROUTER_MID_STREAM_RESCUES, firstTokenBoundMs: deps.firstTokenBoundMs ?? ROUTER_DEFAULTS.SOPHIA_FIRST_TOKEN_BOUND_MS });

  async function* generateInner(req: { input?: RouteInput | undefined }, ctx: HandlerContext): AsyncGenerator<GenerateEvent> {
    const startedAt = Date.now();
    const p = await inRouteSpan(() => preparer.prepare(req.input, ctx, true));
    const first = p.plan.targets[0];
    if (!first) {
      await preparer.refundClaims(p);
      throw new ConnectError(`no backend serves tier ${p.plan.tier} (backends configured: ${[...available].join(', ') || 'none'})`, Code.Unavailable);
    }
    retryBudget.deposit();
    deps.hedgeBudget?.deposit();
    metrics?.decisions.inc({ tier: p.plan.tier, backend: first.backend, model: first.model.id, reason: reasonCode(p.plan.reasons[0] ?? 'none') });
    for (const code of new Set(p.plan.reasons.map(reasonCode))) metrics?.reasons.inc({ reason: code });
    logger.info({ requestId: p.input.requestId, tenant: p.input.tenant, tier: p.plan.tier, target: first.key, reasons: p.plan.reasons }, 'routing decision');

    const state = newAttemptState();
    try {
      yield* serve(p, ctx, state, startedAt);
    } catch (err) {
      // Refused before any backend was called (over budget, cancelled): a counted override this
      // request claimed ("next N to GPU") did not route it, so the use goes back.
      if (!state.called) await preparer.refundClaims(p);
      throw err;
    }
  }

  return {
    async *generate(req, ctx) {
      // Counted down on whichever comes first: the generator finishing, or the call being cancelled
      // (a transport may never resume a cancelled generator, so `finally` alone could leak).
      metrics?.inFlight?.inc();
      let counted = true;
      const uncount = (): void => {
        if (!counted) return;
        counted = false;
        metrics?.inFlight?.dec();
      };
      ctx.signal.addEventListener('abort', uncount, { once: true });
      try {
        yield* generateInner(req, ctx);
      } finally {
        ctx.signal.removeEventListener('abort', uncount);
        uncount();
      }
    },
    async explain(req, ctx) {
      const p = await preparer.prepare(req.input, ctx, false);
      return {
        decision: decide(p, p.plan.targets[0]),
        classification: p.classification,
        plan: p.plan.targets.map((t) => t.key),
      };
    },
    embed: createEmbedHandler({ catalog: deps.catalog, backends: deps.backends, breakers, accounting, decide, policy: deps.policy, logger }),
    ...createRouterAdmin({ catalog: deps.catalog, available, breakers, overrides, logger, clock, audit: deps.audit }),
  };
}

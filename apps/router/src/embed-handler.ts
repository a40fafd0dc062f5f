import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type Client, type HandlerContext } from '@connectrpc/connect';
import { RouteInputSchema, type EmbedRequest, type EmbedResponseSchema } from '@sophia/contracts/router';
import { MoneySchema, UsageSchema } from '@sophia/contracts/common';
import type { InferenceService } from '@sophia/contracts/inference';
import type { CatalogBackend, CatalogModel, PriceCatalog } from '@sophia/price-catalog';
import type { Logger } from 'pino';
import { isBackendFailure, isBudgetOutageRefusal } from '@sophia/platform/wire';
import type { LegAccounting } from './leg-accounting.ts';
import { effectiveProviderPrefs } from './provider-prefs.ts';
import type { PreparedRequest } from './request-preparer.ts';
import { targetsFor } from './route-plan.ts';
import type { DecisionBuilder } from './routing-decision.ts';
import { EMPTY_POLICY, type RoutingPolicy } from './routing-policy.ts';
import { BreakerOpenError, type TargetBreakers } from './target-breakers.ts';
import { countTokensLazily } from './token-count.ts';

/** What embedding reads: the same backends, breakers, ledger accounting and decision as Generate. */
export interface EmbedHandlerDeps {
  readonly catalog: () => PriceCatalog;
  readonly backends: Partial<Record<CatalogBackend, Client<typeof InferenceService>>>;
  readonly breakers: TargetBreakers;
  readonly accounting: LegAccounting;
  readonly decide: DecisionBuilder;
  readonly policy?: (() => RoutingPolicy) | undefined;
  readonly logger: Logger;
}

/** Most inputs per call (OpenAI's limit). */
export const MAX_EMBED_INPUTS = 2048;

const invalid = (message: string): ConnectError => new ConnectError(message, Code.InvalidArgument);

function embeddingsModel(catalog: PriceCatalog, requested: string): CatalogModel {
  if (requested === '') {
    const first = catalog.models.find((m) => m.kind === 'embeddings');
    if (!first) throw new ConnectError('model: the catalog has no embeddings model', Code.NotFound);
    return first;
  }
  const model = catalog.findModel(requested);
  if (!model) throw new ConnectError(`model: "${requested}" is not in the catalog`, Code.NotFound);
  if (model.kind !== 'embeddings') throw invalid(`model: "${requested}" is a ${model.kind} model; use POST /v1/chat/completions (embeddings models: ${catalog.models.filter((m) => m.kind === 'embeddings').map((m) => m.id).join(', ') || 'none'})`);
  return model;
}

/**
 * RouterService.Embed: an embeddings model of the catalog (the named one, or the catalog's first),
 * its targets in order (serverless, then GPU when it serves it) each through its breaker, the tenant
 * reserved and billed for the input tokens like a chat leg (budgets hold for embeddings too).
 */
export function createEmbedHandler(deps: EmbedHandlerDeps): (req: EmbedRequest, ctx: HandlerContext) => Promise<MessageInitShape<typeof EmbedResponseSchema>> {
  const available = new Set(Object.keys(deps.backends) as CatalogBackend[]);
  return async (req, ctx) => {
    if (req.tenant.trim() === '') throw invalid('tenant: required');
    if (req.input.length === 0 || req.input.length > MAX_EMBED_INPUTS) throw invalid(`input: must hold 1 to ${MAX_EMBED_INPUTS} texts`);
    const empty = req.input.findIndex((t) => t === '');
    if (empty >= 0) throw invalid(`input[${empty}]: must not be empty`);
    if (req.dimensions !== undefined && req.dimensions < 1) throw invalid('dimensions: must be at least 1');
    const requestId = req.requestId || (ctx.requestHeader.get('x-request-id') ?? crypto.randomUUID());
    const model = embeddingsModel(deps.catalog(), req.model);
    const targets = targetsFor(model, available);
    if (targets.length === 0) throw new ConnectError(`model "${model.id}" has no backend configured here (backends: ${[...available].join(', ') || 'none'})`, Code.Unavailable);
    const promptTokens = await countTokensLazily(req.input.join('\n'));
    const input = create(RouteInputSchema, { requestId, tenant: req.tenant, model: model.id, messages: [] });
    const p: PreparedRequest = { input, classification: undefined, plan: { tier: model.tier, targets, overrides: [], reasons: ['embeddings'] }, promptTokens };
    const leg = { requestId, messages: [], promptTokens };
    const startedAt = Date.now();
    const failures: string[] = [];
    for (const [i, target] of targets.entries()) {
      const client = deps.backends[target.backend]!;
      await deps.accounting.reserve(p, leg, target);
      let provider = '';
      const prefs = target.backend === 'serverless' ? effectiveProviderPrefs(req.provider, deps.policy?.() ?? EMPTY_POLICY, req.tenant) : undefined;
      try {
        const res = await deps.breakers.fire(target.key, () =>
          client.embed(
            { requestId, model: model.id, input: req.input, ...(req.dimensions !== undefined ? { dimensions: req.dimensions } : {}), tenant: req.tenant, user: req.user, ...(prefs ? { provider: prefs } : {}) },
            { signal: ctx.signal, ...(ctx.timeoutMs() !== undefined ? { timeoutMs: ctx.timeoutMs() } : {}) },
          ),
        );
        provider = target.backend === 'serverless' ? res.endpoint : '';
        const usage = res.usage ?? create(UsageSchema, { promptTokens, totalTokens: promptTokens });
        const decision = deps.decide(p, target, { fallback: i > 0, attempts: i + 1, reasons: i > 0 ? ['embeddings', `fallback:${target.key}`] : ['embeddings'], provider });
        const cost = await deps.accounting.commit(p, leg, target, usage, decision, startedAt, true);
        decision.cost = create(MoneySchema, { microUsd: cost });
        return { data: res.data, usage, decision };
      } catch (err) {
        deps.accounting.release(p, leg);
        if (ctx.signal.aborted) throw new ConnectError('client cancelled', Code.Canceled);
        // Usage cannot be budgeted or recorded (store full, outage refusal): the next backend would meet the same refusal.
        if (isBudgetOutageRefusal(err)) throw err;
        if (!(err instanceof BreakerOpenError) && !isBackendFailure(err)) throw err;
        failures.push(`${target.key}: ${err instanceof BreakerOpenError ? 'breaker open' : ConnectError.from(err).rawMessage}`);
        deps.logger.warn({ requestId, target: target.key, err: failures[failures.length - 1] }, 'embeddings target failed');
      }
    }
    throw new ConnectError(`all backends failed for embeddings model ${model.id}: ${failures.join('; ')}`, Code.Unavailable);
  };
}

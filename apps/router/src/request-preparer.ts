import { Code, ConnectError, type Client, type HandlerContext } from '@connectrpc/connect';
import type { ClassifierService, ClassifyResponse } from '@sophia/contracts/classifier';
import type { RouteInput } from '@sophia/contracts/router';
import { requestNeeds, tierFromProto } from '@sophia/price-catalog';
import { promptExtras } from './completion-bound.ts';
import type { Logger } from 'pino';
import type { OverrideStore } from './override-store.ts';
import { InvalidQualityTargetError } from './quality-target.ts';
import { gatherPlanState, planRequest, type RequestPlannerDeps } from './request-planner.ts';
import { UnknownModelError, type RoutePlan } from './route-plan.ts';
import { validateRouteInput } from './route-input.ts';
import { countPromptTokensLazily, countTokensLazily } from './token-count.ts';

/** A request after validation, classification and planning: what every later step reads. */
export interface PreparedRequest {
  readonly input: RouteInput;
  readonly classification: ClassifyResponse | undefined;
  readonly plan: RoutePlan;
  readonly promptTokens: number;
}

/** What preparing a request reads. */
export interface RequestPreparerDeps {
  readonly classifier?: Client<typeof ClassifierService> | undefined;
  readonly classifierTimeoutMs: number;
  readonly planner: RequestPlannerDeps;
  readonly overrides: OverrideStore;
  readonly logger: Logger;
}

/** The "prepare" step of Generate and Explain, and the undo of its override claims. */
export interface RequestPreparer {
  /** Validates, classifies (unless the model is explicit), plans and counts prompt tokens; `claim` claims counted overrides (Generate). */
  prepare(raw: RouteInput | undefined, ctx: HandlerContext, claim: boolean): Promise<PreparedRequest>;
  /** Gives back the counted override uses a request claimed but was refused before any backend call. */
  refundClaims(p: PreparedRequest): Promise<void>;
}

/** Billed prompt text the message count does not cover: earlier tool calls, tool definitions, a JSON schema. */
function extraPromptText(input: RouteInput): string {
  const calls = input.messages.flatMap((m) => m.toolCalls.map((c) => `${c.name} ${c.arguments}`));
  return [...calls, promptExtras(input.params)].filter((s) => s !== '').join('\n');
}

/** Builds the prepare step: one place that turns a RouteInput into a plan, so Generate and Explain agree. */
export function createRequestPreparer(deps: RequestPreparerDeps): RequestPreparer {
  async function classify(input: RouteInput, signal: AbortSignal): Promise<ClassifyResponse | undefined> {
    if (!deps.classifier) return undefined;
    try {
      return await deps.classifier.classify({ messages: input.messages }, { timeoutMs: deps.classifierTimeoutMs, signal });
    } catch (err) {
      if (signal.aborted) throw new ConnectError('client cancelled', Code.Canceled);
      deps.logger.warn({ err: (err as Error).message }, 'classifier unavailable: routing on the default tier');
      return undefined;
    }
  }

  return {
    async prepare(raw, ctx, claim) {
      const input = validateRouteInput(raw);
      if (!input.requestId) input.requestId = ctx.requestHeader.get('x-request-id') ?? crypto.randomUUID();
      const explicit = input.model.trim() !== '' && input.model !== 'auto';
      // Overrides and budget headroom do not depend on the classification: read them beside it.
      const gathered = gatherPlanState(deps.planner, input.tenant);
      const classification = explicit ? undefined : await classify(input, ctx.signal);
      let plan: RoutePlan;
      try {
        plan = await planRequest(
          deps.planner,
          {
            requestId: input.requestId,
            tenant: input.tenant,
            workloadTag: input.workloadTag,
            explicitModel: input.model,
            qualityTarget: input.qualityTarget,
            classifiedTier: classification ? tierFromProto(classification.tier) : undefined,
            score: classification?.score,
            needs: requestNeeds(input.messages, input.params),
          },
          claim,
          gathered,
        );
      } catch (err) {
        if (err instanceof UnknownModelError) throw new ConnectError(`input.model: ${err.message}`, Code.NotFound);
        if (err instanceof InvalidQualityTargetError) throw new ConnectError(`input.quality_target: ${err.message}`, Code.InvalidArgument);
        throw err;
      }
      const extras = extraPromptText(input);
      const extraTokens = extras === '' ? 0 : await countTokensLazily(extras);
      const promptTokens = (classification?.promptTokens ?? (await countPromptTokensLazily(input.messages))) + extraTokens;
      return { input, classification, plan, promptTokens };
    },

    async refundClaims(p) {
      for (const o of p.plan.overrides) {
        if (o.remaining === undefined) continue;
        try {
          await deps.overrides.refund(o);
          deps.logger.info({ requestId: p.input.requestId, override: o.id }, 'override use refunded: the request was refused before any backend call');
        } catch (err) {
          deps.logger.warn({ err: (err as Error).message, override: o.id }, 'override refund failed: one use is lost');
        }
      }
    },
  };
}

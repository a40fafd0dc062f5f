import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type Client, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import type { ChatService } from '@sophia/contracts/gateway';
import { RouteInputSchema, type RouterService } from '@sophia/contracts/router';
import { runWithCallContext, type CallContext, type Logger } from '@sophia/platform';
import { requireScope } from './api-key-scopes.ts';
import type { Operator } from './ops/operator.ts';
import { answerAsOperator, OPERATOR_FINISH_REASON, operatorReplyText } from './ops/chat-operator.ts';
import { presentedApiKey, type ApiKeyAuth } from './api-key-auth.ts';
import { validateChatInput } from './chat-input-validation.ts';
import { decisionHeaders } from './decision-view.ts';
import { gatewayCallContext, qualityTarget, workloadTag } from './request-context.ts';
import { collectGeneration, finalDecision, routerCallError, routerGeneration } from './router-generation.ts';
import { RETRY_AFTER_MS_KEY } from './status-to-http.ts';
import { isTrafficHeader } from './traffic-headers.ts';
import type { AccumulatedChoice } from './openai-compat/choice-accumulator.ts';
import { withoutInternals } from './openai-compat/public-error-text.ts';

/** A merged choice in the contract's shape (one ChoiceDelta holding the whole choice). */
function toChoiceDelta(c: AccumulatedChoice) {
  return {
    index: c.index,
    content: c.content,
    refusal: c.refusal,
    toolCalls: c.toolCalls.map((t) => ({ index: t.index, id: t.id, name: t.name, arguments: t.arguments })),
    logprobs: c.logprobs,
    finishReason: c.finishReason,
  };
}

/** Options for {@link createChatServiceHandler}. */
export interface ChatServiceHandlerOptions {
  readonly router: Client<typeof RouterService>;
  readonly auth: ApiKeyAuth;
  /** The operator API, for inputs that ask for `operator_commands` (keys with an ops scope). */
  readonly operator?: Operator | undefined;
  readonly logger: Logger;
  readonly requestTimeoutMs: number;
}

/**
 * A router failure as the client should see it: same code and message (the router's messages
 * name fields, never internals), `retry-after-ms` kept; anything that is not a ConnectError is a
 * bug and becomes a generic INTERNAL.
 */
function clientError(err: unknown, logger: Logger): ConnectError {
  if (!(err instanceof ConnectError)) {
    logger.error({ err }, 'unexpected error in ChatService');
    return new ConnectError('internal error', Code.Internal);
  }
  const metadata = new Headers();
  const retry = err.metadata.get(RETRY_AFTER_MS_KEY);
  if (retry !== null) metadata.set(RETRY_AFTER_MS_KEY, retry);
  if (err.code === Code.Internal || err.code === Code.Unknown) logger.warn({ err }, 'router call failed');
  else if (err.code === Code.Unavailable || err.code === Code.DeadlineExceeded) logger.info({ err: err.rawMessage }, 'router call failed');
  return new ConnectError(withoutInternals(err.rawMessage), err.code, metadata);
}

/**
 * `ChatService` for Connect, gRPC and gRPC-Web: authenticates the `authorization` metadata,
 * validates the input, and relays the router's Generate stream — the decision first
 * (`CompleteStream`) or attached to the answer (`Complete`), with `x-request-id` and the
 * `x-sophia-*` decision headers on the response.
 */
export function createChatServiceHandler(options: ChatServiceHandlerOptions): ServiceImpl<typeof ChatService> {
  const { router, auth, logger } = options;

  /** The caller: UNAUTHENTICATED without a valid key, PERMISSION_DENIED without scope `chat`. */
  function chatCaller(ctx: HandlerContext) {
    const caller = auth.callerFor(presentedApiKey(ctx.requestHeader));
    if (caller === undefined) throw new ConnectError('missing or invalid API key: send "authorization: Bearer <key>" metadata', Code.Unauthenticated);
    requireScope(caller, 'chat');
    return caller;
  }
  const chatTenant = (ctx: HandlerContext): string => chatCaller(ctx).tenant;
  /** The operator's answer when the input opted in and is a command (see answerAsOperator). */
  async function operatorFirst(ctx: HandlerContext, input: Parameters<typeof validateChatInput>[0]) {
    if (!input?.operatorCommands) return undefined;
    try {
      return await answerAsOperator(options.operator, chatCaller(ctx), input);
    } catch (err) {
      throw clientError(err, logger);
    }
  }

  function begin(ctx: HandlerContext, raw: Parameters<typeof validateChatInput>[0]): { context: CallContext; tenant: string; keyId: string | undefined; input: ReturnType<typeof validateChatInput>; workload: string; quality: string | undefined } {
    const { tenant, keyId } = chatCaller(ctx);
    const built = gatewayCallContext(ctx.requestHeader, {
      method: `${ctx.service.typeName}/${ctx.method.name}`,
      maxTimeoutMs: options.requestTimeoutMs,
      protocolTimeoutMs: ctx.timeoutMs(),
    });
    if (!built.ok) throw new ConnectError(built.problem.message, Code.InvalidArgument);
    ctx.responseHeader.set('x-request-id', built.context.requestId);
    const input = validateChatInput(raw);
    const workload = workloadTag(ctx.requestHeader, input.workloadTag || undefined);
    if (!workload.ok) throw new ConnectError(workload.problem.message, Code.InvalidArgument);
    const quality = qualityTarget(ctx.requestHeader);
    if (!quality.ok) throw new ConnectError(quality.problem.message, Code.InvalidArgument);
    return { context: built.context, tenant, keyId, input, workload: workload.tag, quality: quality.value };
  }

  /** The call's context, and the traffic policies' headers (rate limits, cache) onto the response. */
  function generationOptions(b: ReturnType<typeof begin>, ctx: HandlerContext) {
    return {
      context: b.context,
      signal: ctx.signal,
      apiKeyId: b.keyId,
      cacheControl: ctx.requestHeader.get('cache-control') ?? undefined,
      onTrafficHeaders: (headers: Headers) => headers.forEach((v, k) => isTrafficHeader(k) && ctx.responseHeader.set(k, v)),
    };
  }

  function routeInput(b: ReturnType<typeof begin>) {
    return create(RouteInputSchema, {
      requestId: b.context.requestId,
      tenant: b.tenant,
      messages: b.input.messages,
      params: b.input.params,
      model: b.input.model === 'auto' ? '' : b.input.model,
      workloadTag: b.workload,
      ...(b.quality !== undefined ? { qualityTarget: b.quality } : {}),
      ...(b.input.provider ? { provider: b.input.provider } : {}),
    });
  }

  return {
    async complete(req, ctx) {
      const b = begin(ctx, req.input);
      const operatorAnswer = await operatorFirst(ctx, req.input);
      if (operatorAnswer) return { id: `chatcmpl-${b.context.requestId}`, content: operatorReplyText(operatorAnswer), finishReason: OPERATOR_FINISH_REASON, operator: operatorAnswer };
      try {
        const answer = await collectGeneration(routerGeneration(router, routeInput(b), generationOptions(b, ctx)));
        const decision = finalDecision(answer.decision, answer.done);
        for (const [k, v] of Object.entries(decisionHeaders(decision))) ctx.responseHeader.set(k, v);
        // Whole choices only when there is more than plain text: a plain answer stays exactly as before.
        const choices = answer.structured ? answer.choices.map(toChoiceDelta) : [];
        return { id: `chatcmpl-${b.context.requestId}`, content: answer.content, finishReason: answer.done.finishReason, usage: answer.done.usage, decision, choices };
      } catch (err) {
        throw clientError(err, logger);
      }
    },

    async *completeStream(req, ctx) {
      const b = begin(ctx, req.input);
      const operatorAnswer = await operatorFirst(ctx, req.input);
      if (operatorAnswer) {
        yield { event: { case: 'operator', value: operatorAnswer } };
        yield { event: { case: 'delta', value: operatorReplyText(operatorAnswer) } };
        yield { event: { case: 'done', value: { finishReason: OPERATOR_FINISH_REASON } } };
        return;
      }
      try {
        for await (const ev of routerGeneration(router, routeInput(b), generationOptions(b, ctx))) {
          if (ev.kind === 'decision') {
            for (const [k, v] of Object.entries(decisionHeaders(ev.decision))) ctx.responseHeader.set(k, v);
            yield { event: { case: 'decision', value: ev.decision } };
          } else if (ev.kind === 'delta') {
            yield { event: { case: 'delta', value: ev.text } };
          } else if (ev.kind === 'choice') {
            yield { event: { case: 'choice', value: ev.choice } };
          } else {
            yield { event: { case: 'done', value: { finishReason: ev.done.finishReason, usage: ev.done.usage, decision: ev.done.decision } } };
          }
        }
      } catch (err) {
        throw clientError(err, logger);
      }
    },

    async listModels(_req, ctx) {
      chatTenant(ctx);
      const built = gatewayCallContext(ctx.requestHeader, { method: `${ctx.service.typeName}/ListModels`, maxTimeoutMs: options.requestTimeoutMs, protocolTimeoutMs: ctx.timeoutMs() });
      if (!built.ok) throw new ConnectError(built.problem.message, Code.InvalidArgument);
      ctx.responseHeader.set('x-request-id', built.context.requestId);
      try {
        const left = built.context.deadline === undefined ? undefined : Math.max(1, built.context.deadline - Date.now());
        const res = await runWithCallContext(built.context, () => router.listModels({}, { signal: ctx.signal, timeoutMs: left })).catch((err: unknown) => {
          throw routerCallError(err);
        });
        // Chat models only: an embeddings model cannot answer Complete (REST lists it under /v1/models with its kind).
        return { models: ['auto', ...res.models.filter((m) => m.kind !== 'embeddings').map((m) => m.id)] };
      } catch (err) {
        throw clientError(err, logger);
      }
    },
  };
}

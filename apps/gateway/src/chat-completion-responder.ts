import type { Logger } from '@sophia/platform';
import { decisionHeaders, sophiaDecisionView } from './decision-view.ts';
import { chatCompletion, chatCompletionChunk, textChoice, textChunkRenderer, usageChunk, type CompletionIdentity } from './openai-payloads.ts';
import { choiceChunkJson } from './openai-compat/openai-choice-json.ts';
import type { ChatCompletionRequest } from './openai-request-schema.ts';
import { startSse, writeJson, writeOpenAiError, type HttpResponseSink } from './openai-response-writer.ts';
import { collectGeneration, finalDecision, type GenerationEvent } from './router-generation.ts';
import { logRouterFailure } from './router-failure-log.ts';
import { httpErrorFromRouter } from './status-to-http.ts';

/** Where and how one chat completion is answered. */
export interface AnswerTarget {
  readonly res: HttpResponseSink;
  readonly request: ChatCompletionRequest;
  readonly ident: CompletionIdentity;
  /** Headers every answer carries (`x-request-id`). */
  readonly headers: Record<string, string>;
  /** Aborted when the client went away: nothing more is written then. */
  readonly clientSignal: AbortSignal;
  readonly logger: Logger;
}

function routerFailed(target: AnswerTarget, err: unknown): void {
  const mapped = httpErrorFromRouter(err, { explicitModel: target.request.model !== '', requestId: target.headers['x-request-id'] });
  // The caller sees the problem in its terms; the full story (targets, upstreams, causes) is logged under the request id.
  logRouterFailure(target.logger, err, mapped, { requestId: target.headers['x-request-id'], failed: 'router call failed' });
  writeOpenAiError(target.res, mapped, target.headers);
}

/** A whole `chat.completion` JSON answer, with the final decision (and cost) in headers and body. */
export async function answerUnary(events: AsyncIterable<GenerationEvent>, target: AnswerTarget): Promise<void> {
  let answer;
  try {
    answer = await collectGeneration(events);
  } catch (err) {
    return routerFailed(target, err);
  }
  const decision = finalDecision(answer.decision, answer.done);
  writeJson(
    target.res,
    200,
    chatCompletion(target.ident, { choices: answer.choices, withLogprobs: target.request.params.logprobs === true, usage: answer.done.usage, decision }),
    { ...target.headers, ...decisionHeaders(decision) },
  );
}

/**
 * An SSE answer. Nothing is sent until the router's decision arrives, so a failure before it is
 * a plain HTTP error with the right status; after it, a failure becomes an SSE error event and the
 * stream ends without `[DONE]`.
 */
export async function answerStream(events: AsyncIterator<GenerationEvent>, target: AnswerTarget): Promise<void> {
  const { ident, request } = target;
  let first;
  try {
    first = await events.next();
  } catch (err) {
    return routerFailed(target, err);
  }
  if (first.done || first.value.kind !== 'decision') return routerFailed(target, new Error('router generation yielded no decision'));
  const decision = first.value.decision;
  const sse = startSse(target.res, { ...target.headers, ...decisionHeaders(decision) });
  try {
    await sse.send(chatCompletionChunk(ident, decision.model, textChoice({ role: 'assistant', content: '' }, null), { sophia: sophiaDecisionView(decision) }));
    // Choice 0 announced its role above; other choices (n > 1) announce it on their first delta.
    const started = new Set<number>([0]);
    const withLogprobs = request.params.logprobs === true;
    const textChunk = textChunkRenderer(ident, decision.model);
    for (;;) {
      const next = await events.next();
      if (next.done) break;
      const ev = next.value;
      if (ev.kind === 'delta') {
        const blocked = sse.sendJson(textChunk(ev.text));
        if (blocked !== undefined) await blocked;
      } else if (ev.kind === 'choice') {
        const first = !started.has(ev.choice.index);
        started.add(ev.choice.index);
        await sse.send(chatCompletionChunk(ident, decision.model, choiceChunkJson(ev.choice, first, withLogprobs)));
      } else if (ev.kind === 'done') {
        const final = finalDecision(decision, ev.done);
        await sse.send(chatCompletionChunk(ident, final.model, textChoice({}, ev.done.finishReason || 'stop'), { sophia: sophiaDecisionView(final) }));
        if (request.includeUsage) await sse.send(usageChunk(ident, final.model, ev.done.usage));
      }
    }
    sse.finish();
  } catch (err) {
    if (target.clientSignal.aborted) {
      target.logger.info('client disconnected; router call cancelled');
      return;
    }
    const mapped = httpErrorFromRouter(err, { explicitModel: request.model !== '', requestId: target.headers['x-request-id'] });
    logRouterFailure(target.logger, err, mapped, { requestId: target.headers['x-request-id'], failed: 'stream failed after it started' });
    sse.fail(mapped);
  }
}

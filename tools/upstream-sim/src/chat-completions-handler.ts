import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { waitForAbort } from './abortable-sleep.ts';
import type { AdmissionQueue, AdmissionSlot } from './admission-queue.ts';
import { parseChatRequest } from './chat-request.ts';
import { createCompletionText } from './completion-text.ts';
import type { CompletionRun } from './completion-run.ts';
import type { InnerFaultSpec } from './fault-spec.ts';
import type { FaultState } from './fault-state.ts';
import { respondJson } from './json-completion.ts';
import { invalidRequest, sendOpenAiError } from './openai-error.ts';
import { extractSimDirectives } from './sim-directives.ts';
import type { StatsRecorder } from './simulator-stats.ts';
import { streamCompletion } from './stream-completion.ts';
import { countPromptTokens, countTextTokens } from './token-counter.ts';
import { buildSimOutput } from './sim-output.ts';

/** Prompt tokens billed per image (OpenAI's low-detail price). */
const IMAGE_TOKENS = 85;
import type { VllmMetrics } from './vllm-metrics.ts';

/** Who the simulator pretends to be. */
export type Persona = 'serverless' | 'vllm';

/** What the handler needs from the simulator; injected so the handler holds no global state. */
export interface ChatCompletionsContext {
  persona: Persona;
  models: readonly string[] | undefined;
  ttftMs: number;
  interTokenMs: number;
  defaultOutputTokens: number;
  /** Billed prompt tokens = ceil(local count × percent / 100) + overheadTokens (a provider's tokenizer and template). */
  promptBilling: { percent: number; overheadTokens: number };
  faults: FaultState;
  queue: AdmissionQueue;
  metrics: VllmMetrics;
  stats: StatsRecorder;
}

/** Default `Retry-After` of the rate-limit fault, in seconds. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;
/** Default status of the status fault. */
export const DEFAULT_FAULT_STATUS = 500;

/** Answers faults that need no generation; returns true when the response is settled. */
function answerImmediateFault(res: ServerResponse, fault: InnerFaultSpec, headers: Record<string, string>): boolean {
  switch (fault.kind) {
    case 'status': {
      const code = fault.code ?? DEFAULT_FAULT_STATUS;
      sendOpenAiError(
        res,
        code,
        { message: fault.message ?? `simulated upstream failure (status ${code})`, type: code >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: `simulated_${code}` },
        headers,
      );
      return true;
    }
    case 'rate-limit': {
      const seconds = fault.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
      sendOpenAiError(
        res,
        429,
        { message: `simulated rate limit; retry after ${seconds} s`, type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' },
        { ...headers, 'retry-after': String(seconds) },
      );
      return true;
    }
    case 'reset-before-first-byte':
      res.socket?.resetAndDestroy();
      return true;
    case 'wrong-content-type': {
      const html = '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>simulated proxy error page</p></body></html>';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), ...headers });
      res.end(html);
      return true;
    }
    default:
      return false;
  }
}

/** Creates the `POST /v1/chat/completions` handler; `signal` aborts when the client leaves or the simulator closes. */
export function createChatCompletionsHandler(ctx: ChatCompletionsContext) {
  return async function handleChatCompletions(req: IncomingMessage, res: ServerResponse, body: string, signal: AbortSignal): Promise<void> {
    const arrived = performance.now();
    ctx.stats.requestStarted();
    res.once('close', () => {
      const status = res.writableFinished ? String(res.statusCode) : 'incomplete';
      ctx.stats.requestEnded(status);
      ctx.metrics.observeHttp('/v1/chat/completions', 'POST', status);
    });
    const requestId = typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : randomUUID();
    const headers = { 'x-request-id': requestId };

    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      sendOpenAiError(res, 400, invalidRequest('We could not parse the JSON body of your request.', null, 'invalid_json'), headers);
      return;
    }
    const parsed = parseChatRequest(json);
    if (!parsed.ok) {
      sendOpenAiError(res, 400, invalidRequest(parsed.error.message, parsed.error.param), headers);
      return;
    }
    const request = parsed.request;
    const directives = extractSimDirectives(request.messages, req.headers);
    if (!directives.ok) {
      sendOpenAiError(res, 400, invalidRequest(directives.error.message, directives.error.param), headers);
      return;
    }
    if (ctx.models && !ctx.models.includes(request.model)) {
      sendOpenAiError(
        res,
        404,
        invalidRequest(`The model '${request.model}' does not exist or you do not have access to it.`, 'model', 'model_not_found'),
        headers,
      );
      return;
    }

    const fault = ctx.faults.takeForChat(directives.directives.fault);
    if (fault) {
      ctx.stats.faultApplied(fault.kind);
      ctx.metrics.observeFault(fault.kind);
      if (answerImmediateFault(res, fault, headers)) return;
    }

    // Tool definitions and the response schema are prompt tokens too; an image costs a flat 85 (OpenAI's low detail).
    const extras = (request.tools ? countTextTokens(JSON.stringify(request.tools)) : 0) + (request.responseFormat?.type === 'json_schema' ? countTextTokens(JSON.stringify(request.responseFormat.schema)) : 0) + (request.images ?? 0) * IMAGE_TOKENS;
    const promptTokens = Math.ceil(((countPromptTokens(request.messages) + extras) * ctx.promptBilling.percent) / 100) + ctx.promptBilling.overheadTokens;
    const textFor = (choice: number) =>
      createCompletionText({
        persona: ctx.persona,
        model: request.model,
        messages: directives.messages,
        // Choice 0 is the answer a single-choice request gets; other choices differ by their index.
        ...(request.seed !== undefined || choice > 0 ? { seed: (request.seed ?? 0) + choice } : {}),
        outputTokens: directives.directives.outputTokens ?? ctx.defaultOutputTokens,
        ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
        stop: request.stop,
        ...(choice > 0 ? { choice } : {}),
      });
    const output = buildSimOutput({ ...request, messages: directives.messages }, textFor);

    let slot: AdmissionSlot;
    try {
      slot = await ctx.queue.acquire(request.model, promptTokens, signal);
    } catch {
      return; // left (or the simulator closed) while waiting
    }
    let emitted = 0;
    let finished = false;
    try {
      if (fault?.kind === 'silent') {
        await waitForAbort(signal);
        return;
      }
      const run: CompletionRun = {
        identity: { id: `chatcmpl-${randomUUID().replaceAll('-', '')}`, created: Math.floor(Date.now() / 1000), model: request.model },
        output,
        promptTokens,
        // A prompt-cache hit as the caller asked for it, never more than the billed prompt.
        ...(directives.directives.cachedTokens === undefined ? {} : { cachedPromptTokens: Math.min(directives.directives.cachedTokens, promptTokens) }),
        includeUsage: request.includeUsage,
        ttftMs: directives.directives.ttftMs ?? ctx.ttftMs,
        interTokenMs: directives.directives.interTokenMs ?? ctx.interTokenMs,
        fault,
        signal,
        headers,
        onToken(index) {
          emitted += 1;
          slot.addTokens(1);
          if (index === 0) ctx.metrics.observeFirstToken(request.model, (performance.now() - arrived) / 1000);
        },
      };
      finished = request.stream ? await streamCompletion(res, run) : await respondJson(res, run);
    } finally {
      slot.release();
      ctx.stats.tokens(promptTokens, emitted);
      ctx.metrics.observeFinished(
        request.model,
        finished ? output.finishReason : 'abort',
        promptTokens,
        emitted,
        (performance.now() - arrived) / 1000,
      );
    }
  };
}

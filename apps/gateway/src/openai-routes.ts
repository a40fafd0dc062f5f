import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { RouteInputSchema, type RouterService } from '@sophia/contracts/router';
import { callContextFromHeaders, runWithCallContext, type CallContext, type Logger } from '@sophia/platform';
import { hasScope } from './api-key-scopes.ts';
import { presentedApiKey, type ApiKeyAuth } from './api-key-auth.ts';
import { readJsonBody } from './body-reader.ts';
import { modelList } from './openai-payloads.ts';
import { encodeEmbedding, parseEmbeddingsRequest } from './openai-compat/embeddings-request.ts';
import { sophiaDecisionView, decisionHeaders } from './decision-view.ts';
import { parseChatCompletionRequest } from './openai-request-schema.ts';
import { writeJson, writeOpenAiError, type HttpResponseSink } from './openai-response-writer.ts';
import { gatewayCallContext, headersFromNode, qualityTarget, workloadTag } from './request-context.ts';
import { routerCallError, routerGeneration } from './router-generation.ts';
import { collectTrafficHeaders } from './traffic-headers.ts';
import { answerStream, answerUnary, type AnswerTarget } from './chat-completion-responder.ts';
import { logRouterFailure } from './router-failure-log.ts';
import { httpErrorFromRouter, invalidRequest, type GatewayHttpError } from './status-to-http.ts';

/** An inbound request on either protocol. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;

/** Options for {@link createOpenAiRoutes}. */
export interface OpenAiRoutesOptions {
  readonly router: Client<typeof RouterService>;
  readonly auth: ApiKeyAuth;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
  /** True once shutdown began: `/readyz` answers 503 so load balancers stop sending. */
  readonly isDraining?: () => boolean;
  /** How long `/readyz` waits for the router. @default 2000 */
  readonly readinessTimeoutMs?: number;
}

const UNAUTHENTICATED: GatewayHttpError = {
  status: 401,
  type: 'authentication_error',
  code: 'invalid_api_key',
  message: 'missing or invalid API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"',
  param: null,
};

function isJsonContentType(value: string | null): boolean {
  if (value === null) return false;
  const [type, ...params] = value.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'application/json') return false;
  const charset = params.find((p) => p.startsWith('charset='));
  return charset === undefined || charset === 'charset=utf-8' || charset === 'charset="utf-8"';
}

/** The request id to echo, even when the context could not be built (bad timeout header). */
function requestIdOf(ctxResult: ReturnType<typeof gatewayCallContext>, headers: Headers): string {
  return ctxResult.ok ? ctxResult.context.requestId : callContextFromHeaders(headers, { method: 'rejected' }).requestId;
}

/** Aborts when the client goes away before the answer is complete. */
function clientGone(res: HttpResponseSink): AbortController {
  const controller = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort(new ConnectError('client disconnected', Code.Canceled));
  };
  res.once('close', onClose);
  return controller;
}

/**
 * The OpenAI-compatible REST surface (`/v1/chat/completions`, `/v1/models`) plus `/healthz` and
 * `/readyz`. Every answer echoes `x-request-id`; chat answers carry the routing decision in
 * `x-sophia-*` headers and a `sophia` body field. Returns a Node request listener usable as the
 * Connect adapter's fallback on HTTP/1.1 and HTTP/2 alike.
 */
export function createOpenAiRoutes(options: OpenAiRoutesOptions): (req: NodeRequest, res: HttpResponseSink) => void {
  const { router, auth, logger } = options;

  /** The caller's tenant for a chat call: 401 without a valid key, 403 for a key without scope `chat`. */
  function authenticate(headers: Headers): { tenant: string; keyId: string | undefined } | { error: GatewayHttpError } {
    const caller = auth.callerFor(presentedApiKey(headers));
    if (caller === undefined) return { error: UNAUTHENTICATED };
    if (!hasScope(caller, 'chat')) return { error: { status: 403, type: 'permission_error', code: 'missing_scope', message: 'this API key lacks scope chat', param: null } };
    return { tenant: caller.tenant, keyId: caller.keyId };
  }

  async function chatCompletions(req: NodeRequest, res: HttpResponseSink, headers: Headers): Promise<void> {
    const ctxResult = gatewayCallContext(headers, { method: 'POST /v1/chat/completions', maxTimeoutMs: options.requestTimeoutMs });
    const base: Record<string, string> = { 'x-request-id': requestIdOf(ctxResult, headers) };
    const fail = (err: GatewayHttpError): void => {
      if (err.status === 413 && req.httpVersionMajor === 1) base['connection'] = 'close';
      writeOpenAiError(res, err, base);
    };
    const who = authenticate(headers);
    if ('error' in who) return fail(who.error);
    const tenant = who.tenant;
    if (!ctxResult.ok) return fail(invalidRequest(ctxResult.problem.message, ctxResult.problem.param));
    if (!isJsonContentType(headers.get('content-type'))) {
      return fail(invalidRequest(`content-type must be application/json (UTF-8), got ${JSON.stringify(headers.get('content-type') ?? '')}`, null, { status: 415, code: 'unsupported_media_type' }));
    }
    const body = await readJsonBody(req, { maxBytes: options.maxBodyBytes, contentLength: headers.get('content-length') ?? undefined });
    if (!body.ok) return fail(body.error);
    const parsed = parseChatCompletionRequest(body.value);
    if (!parsed.ok) return fail(invalidRequest(parsed.problem.message, parsed.problem.param));
    const workload = workloadTag(headers, parsed.request.workload);
    if (!workload.ok) return fail(invalidRequest(workload.problem.message, workload.problem.param));
    const quality = qualityTarget(headers);
    if (!quality.ok) return fail(invalidRequest(quality.problem.message, quality.problem.param));
    const context = ctxResult.context;
    const input = create(RouteInputSchema, {
      requestId: context.requestId,
      tenant,
      messages: parsed.request.messages,
      params: parsed.request.params,
      model: parsed.request.model,
      workloadTag: workload.tag,
      ...(quality.value !== undefined ? { qualityTarget: quality.value } : {}),
      ...(parsed.request.provider ? { provider: parsed.request.provider } : {}),
    });
    const abort = clientGone(res);
    const events = routerGeneration(router, input, { context, signal: abort.signal, apiKeyId: who.keyId, cacheControl: headers.get('cache-control') ?? undefined, onTrafficHeaders: collectTrafficHeaders(base) });
    const target: AnswerTarget = {
      res,
      request: parsed.request,
      ident: { id: `chatcmpl-${context.requestId}`, created: Math.floor(Date.now() / 1000) },
      headers: base,
      clientSignal: abort.signal,
      logger: logger.child({ requestId: context.requestId, tenant }),
    };
    await (parsed.request.stream ? answerStream(events, target) : answerUnary(events, target));
  }

  /** `GET /v1/models` (id undefined) or `GET /v1/models/{id}` (ids may hold slashes: "meta-llama/…"). */
  async function models(res: HttpResponseSink, headers: Headers, id?: string): Promise<void> {
    const ctxResult = gatewayCallContext(headers, { method: id === undefined ? 'GET /v1/models' : 'GET /v1/models/{id}', maxTimeoutMs: options.requestTimeoutMs });
    const base = { 'x-request-id': requestIdOf(ctxResult, headers) };
    const who = authenticate(headers);
    if ('error' in who) return writeOpenAiError(res, who.error, base);
    if (!ctxResult.ok) return writeOpenAiError(res, invalidRequest(ctxResult.problem.message, ctxResult.problem.param), base);
    try {
      const list = await callRouter(ctxResult.context, res, (signal, timeoutMs) => router.listModels({}, { signal, timeoutMs }));
      const all = modelList(list.models);
      if (id === undefined) return writeJson(res, 200, all, base);
      const found = all.data.find((m) => m['id'] === id);
      if (!found) return writeOpenAiError(res, invalidRequest(`The model '${id.slice(0, 256)}' does not exist`, 'model', { status: 404, code: 'model_not_found' }), base);
      writeJson(res, 200, found, base);
    } catch (err) {
      writeOpenAiError(res, httpErrorFromRouter(err, { explicitModel: false, requestId: base['x-request-id'] }), base);
    }
  }

  /** `POST /v1/embeddings`: routed to an embeddings model of the catalog and billed on its input tokens. */
  async function embeddings(req: NodeRequest, res: HttpResponseSink, headers: Headers): Promise<void> {
    const ctxResult = gatewayCallContext(headers, { method: 'POST /v1/embeddings', maxTimeoutMs: options.requestTimeoutMs });
    const base = { 'x-request-id': requestIdOf(ctxResult, headers) };
    const who = authenticate(headers);
    if ('error' in who) return writeOpenAiError(res, who.error, base);
    if (!ctxResult.ok) return writeOpenAiError(res, invalidRequest(ctxResult.problem.message, ctxResult.problem.param), base);
    if (!isJsonContentType(headers.get('content-type'))) {
      return writeOpenAiError(res, invalidRequest(`content-type must be application/json (UTF-8), got ${JSON.stringify(headers.get('content-type') ?? '')}`, null, { status: 415, code: 'unsupported_media_type' }), base);
    }
    const body = await readJsonBody(req, { maxBytes: options.maxBodyBytes, contentLength: headers.get('content-length') ?? undefined });
    if (!body.ok) return writeOpenAiError(res, body.error, base);
    const parsed = parseEmbeddingsRequest(body.value);
    if (!parsed.ok) return writeOpenAiError(res, invalidRequest(parsed.problem.message, parsed.problem.param), base);
    const r = parsed.request;
    const context = ctxResult.context;
    try {
      const out = await callRouter(context, res, (signal, timeoutMs) =>
        router.embed({ requestId: context.requestId, tenant: who.tenant, model: r.model, input: r.input, ...(r.dimensions !== undefined ? { dimensions: r.dimensions } : {}), user: r.user }, { signal, timeoutMs }),
      );
      const decision = out.decision;
      writeJson(
        res,
        200,
        {
          object: 'list',
          data: out.data.map((e, index) => ({ object: 'embedding', index, embedding: encodeEmbedding(e.values, r.encoding) })),
          model: decision?.model ?? r.model,
          usage: { prompt_tokens: out.usage?.promptTokens ?? 0, total_tokens: out.usage?.totalTokens ?? 0 },
          ...(decision ? { sophia: sophiaDecisionView(decision) } : {}),
        },
        { ...base, ...(decision ? decisionHeaders(decision) : {}) },
      );
    } catch (err) {
      const mapped = httpErrorFromRouter(err, { explicitModel: r.model !== '', requestId: context.requestId });
      logRouterFailure(logger.child({ tenant: who.tenant }), err, mapped, { requestId: context.requestId, failed: 'embeddings failed' });
      writeOpenAiError(res, mapped, base);
    }
  }

  function callRouter<T>(context: CallContext, res: HttpResponseSink, call: (signal: AbortSignal, timeoutMs: number | undefined) => Promise<T>): Promise<T> {
    const abort = clientGone(res);
    const left = context.deadline === undefined ? undefined : Math.max(1, context.deadline - Date.now());
    return runWithCallContext(context, () => call(abort.signal, left)).catch((err: unknown) => {
      throw routerCallError(err);
    });
  }

  async function ready(res: HttpResponseSink): Promise<void> {
    if (options.isDraining?.()) return writeJson(res, 503, { status: 'draining' });
    try {
      await router.listModels({}, { timeoutMs: options.readinessTimeoutMs ?? 2000 });
      writeJson(res, 200, { status: 'ready' });
    } catch (err) {
      const ce = ConnectError.from(routerCallError(err));
      writeJson(res, 503, { status: 'not_ready', reason: `router ListModels failed: ${Code[ce.code]}` });
    }
  }

  const routes: Record<string, { method: string; run: (req: NodeRequest, res: HttpResponseSink, headers: Headers) => Promise<void> | void }> = {
    '/v1/chat/completions': { method: 'POST', run: chatCompletions },
    '/v1/models': { method: 'GET', run: (_req, res, headers) => models(res, headers) },
    '/v1/embeddings': { method: 'POST', run: embeddings },
    '/healthz': { method: 'GET', run: (_req, res) => writeJson(res, 200, { status: 'ok' }) },
    '/readyz': { method: 'GET', run: (_req, res) => ready(res) },
  };

  const MODEL_PREFIX = '/v1/models/';
  /** `/v1/models/{id}`, the id URL-decoded (undefined when it is not such a path or not decodable). */
  const modelIdOf = (path: string): string | undefined => {
    if (!path.startsWith(MODEL_PREFIX) || path.length === MODEL_PREFIX.length) return undefined;
    try {
      return decodeURIComponent(path.slice(MODEL_PREFIX.length));
    } catch {
      return undefined;
    }
  };

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const modelId = modelIdOf(path);
    const route = modelId === undefined ? routes[path] : { method: 'GET', run: (_req: NodeRequest, r: HttpResponseSink, headers: Headers) => models(r, headers, modelId) };
    if (!route) {
      return writeOpenAiError(res, invalidRequest(`no route for ${req.method} ${path.slice(0, 200)}`, null, { status: 404, code: 'not_found' }));
    }
    if (req.method !== route.method) {
      return writeOpenAiError(res, invalidRequest(`method ${req.method} not allowed on ${path}; use ${route.method}`, null, { status: 405, code: 'method_not_allowed' }), { allow: route.method });
    }
    Promise.resolve(route.run(req, res, headersFromNode(req.headers))).catch((err: unknown) => {
      logger.error({ err, path }, 'unhandled error in REST route');
      if (!res.headersSent) writeOpenAiError(res, { status: 500, type: 'server_error', code: 'internal_error', message: 'internal error', param: null });
      else if (!res.writableEnded) res.end();
    });
  };
}

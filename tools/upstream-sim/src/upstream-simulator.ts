import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdmissionQueue } from './admission-queue.ts';
import { createChatCompletionsHandler, type Persona } from './chat-completions-handler.ts';
import { handleEmbeddings } from './embeddings-handler.ts';
import { FaultSpecError, faultSpecFromJson, formatFaultSpec, parseFaultSpec, type FaultSpec } from './fault-spec.ts';
import { createFaultState } from './fault-state.ts';
import { invalidRequest, sendJson, sendOpenAiError } from './openai-error.ts';
import { createStatsRecorder, type SimulatorStats } from './simulator-stats.ts';
import { createVllmMetrics } from './vllm-metrics.ts';

/** Options of one simulator process; every field but `persona` has a default. */
export interface UpstreamSimulatorOptions {
  persona: Persona;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 0 (an ephemeral port; read it from the result) */
  port?: number;
  /** Served model ids; when set, other models get 404 model_not_found. @default any model is accepted */
  models?: string[];
  /** When set, /v1/* requires `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Time to first token. @default 0 */
  ttftMs?: number;
  /** Gap between tokens. @default 0 */
  interTokenMs?: number;
  /** Natural answer length in tokens (max_tokens may cut it). @default 64 */
  defaultOutputTokens?: number;
  /** Requests beyond this many wait (reported as vllm:num_requests_waiting). @default unlimited */
  maxConcurrency?: number;
  /** Process-level fault at start. */
  fault?: FaultSpec;
  /** KV-cache capacity in tokens, the denominator of vllm:kv_cache_usage_perc. @default 65536 */
  kvCacheTokens?: number;
  /** Seed of per-request fail-rate faults that name no seed. @default 1 */
  seed?: number;
  /**
   * How this provider bills prompts against the local o200k count, as a real one does with its own
   * tokenizer and chat template: billed = ceil(count × promptTokenPercent / 100) + promptOverheadTokens.
   * @default 100 and 0 (bills the local count)
   */
  promptTokenPercent?: number;
  promptOverheadTokens?: number;
}

/** A running simulator. */
export interface UpstreamSimulator {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 (append /v1 for OpenAI clients). */
  url: string;
  port: number;
  persona: Persona;
  /** Replaces the process-level fault; undefined clears it. */
  setFault(fault: FaultSpec | undefined): void;
  stats(): SimulatorStats;
  /** Stops listening, ends open streams and sockets, and waits for in-flight handlers. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const DEFAULT_OUTPUT_TOKENS = 64;
const DEFAULT_KV_CACHE_TOKENS = 65536;

class BodyTooLargeError extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function notNegative(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
    throw new RangeError(`upstream-sim option ${name} must be a non-negative number, got ${value}`);
  }
}

/** Starts a simulator and resolves once it is listening. */
export async function createUpstreamSimulator(options: UpstreamSimulatorOptions): Promise<UpstreamSimulator> {
  if (options.persona !== 'serverless' && options.persona !== 'vllm') {
    throw new RangeError(`upstream-sim option persona must be "serverless" or "vllm", got ${String(options.persona)}`);
  }
  notNegative('ttftMs', options.ttftMs);
  notNegative('interTokenMs', options.interTokenMs);
  notNegative('defaultOutputTokens', options.defaultOutputTokens);
  notNegative('promptTokenPercent', options.promptTokenPercent);
  notNegative('promptOverheadTokens', options.promptOverheadTokens);
  if (options.maxConcurrency !== undefined && !(Number.isInteger(options.maxConcurrency) && options.maxConcurrency >= 1)) {
    throw new RangeError(`upstream-sim option maxConcurrency must be an integer >= 1, got ${options.maxConcurrency}`);
  }
  const persona = options.persona;
  const host = options.host ?? '127.0.0.1';
  const models = options.models && options.models.length > 0 ? [...options.models] : undefined;
  const faults = createFaultState(options.fault === undefined ? undefined : faultSpecFromJson(options.fault), options.seed);
  const queue = createAdmissionQueue(options.maxConcurrency);
  const metrics = createVllmMetrics({ queue, ...(models ? { models } : {}), kvCacheTokens: options.kvCacheTokens ?? DEFAULT_KV_CACHE_TOKENS });
  const stats = createStatsRecorder();
  const handleChat = createChatCompletionsHandler({
    persona,
    models,
    ttftMs: options.ttftMs ?? 0,
    interTokenMs: options.interTokenMs ?? 0,
    defaultOutputTokens: options.defaultOutputTokens ?? DEFAULT_OUTPUT_TOKENS,
    promptBilling: { percent: options.promptTokenPercent ?? 100, overheadTokens: options.promptOverheadTokens ?? 0 },
    faults,
    queue,
    metrics,
    stats,
  });
  const closing = new AbortController();
  const handlers = new Set<Promise<void>>();
  const created = Math.floor(Date.now() / 1000);

  const snapshot = (): SimulatorStats => {
    const fault = faults.current();
    return stats.snapshot({ running: queue.running(), waiting: queue.waiting(), fault: fault ? formatFaultSpec(fault) : null });
  };

  const authorized = (req: IncomingMessage): boolean =>
    options.apiKey === undefined || req.headers.authorization === `Bearer ${options.apiKey}`;

  const setFaultFromBody = (res: ServerResponse, body: string): void => {
    try {
      const value: unknown = JSON.parse(body);
      const fault =
        typeof value === 'object' && value !== null && 'fault' in value && typeof value.fault === 'string'
          ? parseFaultSpec(value.fault)
          : faultSpecFromJson(value);
      faults.set(fault);
      sendJson(res, 200, { fault: faults.current() ? formatFaultSpec(fault) : null });
    } catch (error) {
      if (error instanceof FaultSpecError) return sendOpenAiError(res, 400, invalidRequest(error.message, error.param, 'invalid_fault'));
      if (error instanceof SyntaxError) return sendOpenAiError(res, 400, invalidRequest('fault body is not valid JSON', null, 'invalid_json'));
      throw error;
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    if (path.startsWith('/v1/') && !authorized(req)) {
      return sendOpenAiError(res, 401, invalidRequest('Incorrect API key provided.', null, 'invalid_api_key'));
    }
    if (path === '/v1/chat/completions' && method === 'POST') {
      return handleChat(req, res, await readBody(req), signal);
    }
    if (path === '/v1/embeddings' && method === 'POST') {
      return handleEmbeddings(res, await readBody(req), models);
    }
    if (path === '/v1/models' && method === 'GET') {
      // Without a configured list, the models that have been served so far.
      const ids = models ?? [...queue.loadByModel().keys()];
      const data = ids.map((id) =>
        persona === 'vllm'
          ? { id, object: 'model', created, owned_by: 'vllm', root: id, parent: null, max_model_len: 8192 }
          : { id, object: 'model', created, owned_by: 'sophia-upstream-sim' },
      );
      return sendJson(res, 200, { object: 'list', data });
    }
    if (path === '/health' && method === 'GET') {
      const failing = faults.takeForHealth();
      res.writeHead(failing ? 503 : 200, { 'content-type': 'text/plain' });
      res.end(failing ? 'unhealthy (simulated health-fail)' : 'ok');
      return;
    }
    if (path === '/metrics' && method === 'GET') {
      const text = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(text);
      return;
    }
    if (path === '/sim/stats' && method === 'GET') return sendJson(res, 200, snapshot());
    if (path === '/sim/fault') {
      if (method === 'GET') {
        const fault = faults.current();
        return sendJson(res, 200, { fault: fault ? formatFaultSpec(fault) : null, spec: fault ?? null });
      }
      if (method === 'POST') return setFaultFromBody(res, await readBody(req));
      if (method === 'DELETE') {
        faults.set(undefined);
        return sendJson(res, 200, { fault: null });
      }
    }
    const known = ['/v1/chat/completions', '/v1/embeddings', '/v1/models', '/health', '/metrics', '/sim/stats', '/sim/fault'];
    if (known.includes(path)) {
      return sendOpenAiError(res, 405, invalidRequest(`Method ${method} is not allowed on ${path}.`, null, 'method_not_allowed'));
    }
    return sendOpenAiError(res, 404, invalidRequest(`Unknown path ${path}.`, null, 'not_found'));
  };

  const server = createServer((req, res) => {
    // One signal per request: aborted when its client leaves or the simulator closes. (A listener on
    // the closing signal, removed on close, rather than AbortSignal.any, so nothing accumulates.)
    const request = new AbortController();
    const signal = request.signal;
    const onClosing = (): void => request.abort(closing.signal.reason);
    closing.signal.addEventListener('abort', onClosing, { once: true });
    const responseClosed = new Promise<void>((resolve) =>
      res.once('close', () => {
        closing.signal.removeEventListener('abort', onClosing);
        if (!res.writableFinished) request.abort(new Error('client closed the connection'));
        resolve();
      }),
    );
    const handled = route(req, res, signal).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof BodyTooLargeError) {
        sendOpenAiError(res, 413, invalidRequest(`Request body exceeds ${MAX_BODY_BYTES} bytes.`, null, 'body_too_large'));
        return;
      }
      process.stderr.write(`upstream-sim: handler failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      sendOpenAiError(res, 500, { message: 'simulator internal error', type: 'server_error', param: null, code: null });
    });
    // A request is settled once its handler returned and its response closed (stats count on close).
    const settled = Promise.all([handled, responseClosed]).then(() => undefined);
    handlers.add(settled);
    void settled.finally(() => handlers.delete(settled));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    persona,
    setFault: (fault) => faults.set(fault === undefined ? undefined : faultSpecFromJson(fault)),
    stats: snapshot,
    close() {
      closed ??= (async () => {
        closing.abort(new Error('upstream simulator closed'));
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.allSettled([...handlers]);
        await stopped;
      })();
      return closed;
    },
  };
}

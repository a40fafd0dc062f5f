import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { Backend } from '@sophia/contracts/common';
import type { InferenceService } from '@sophia/contracts/inference';
import {
  FAILURE_KIND_HEADER,
  GateBusyError,
  GateWaitTimeoutError,
  createEmbeddings,
  generateFromUpstream,
  isBackendFailure,
  mapCallerAbort,
  RETRY_AFTER_HEADER,
  silentUpstreamLogger,
  upstreamFailureKind,
  UpstreamFailureKind,
  type UpstreamLogger,
  type UpstreamTimeouts,
} from '@sophia/openai-upstream';
import type { TtftLimits } from '@sophia/ttft-limits';
import type { EndpointGates } from './endpoint-gates.ts';
import type { EndpointLease, EndpointPool } from './endpoint-pool.ts';

/** Dependencies of the GPU backend. */
export interface GpuInferenceDeps {
  pool: EndpointPool;
  /** vLLM `--api-key`, if the endpoints require one. */
  apiKey?: string;
  /**
   * Catalog model id → vLLM served model name; `undefined` means "not served here" (NotFound).
   * @default identity (vLLM started with `--served-model-name <catalog id>`)
   */
  modelMap?: (catalogModelId: string) => string | undefined;
  timeouts?: UpstreamTimeouts;
  logger?: UpstreamLogger;
  /**
   * Picks the endpoint for a served model; may wait (the GPU fleet booting capacity) until `signal`
   * aborts. @default the pool's `acquire`, Unavailable at once when no endpoint serves the model
   */
  acquire?: (servedModel: string, signal: AbortSignal) => Promise<EndpointLease>;
  /** In-flight limit and visible queue per endpoint. @default none (vLLM's own queue) */
  gates?: EndpointGates;
  /** First-token timeouts learned per endpoint, within [min, timeouts.firstTokenMs]. @default the fixed timeout */
  ttft?: TtftLimits;
  now?: () => number;
}

/** A full endpoint queue: RESOURCE_EXHAUSTED with retry-after, which the router treats as "GPU busy". */
function busy(err: GateBusyError | GateWaitTimeoutError): ConnectError {
  const metadata = new Headers({ [FAILURE_KIND_HEADER]: 'http-429', [RETRY_AFTER_HEADER]: String(err instanceof GateBusyError ? err.retryAfterMs : 1000) });
  return new ConnectError(err.message, Code.ResourceExhausted, metadata);
}

/**
 * InferenceService over a pool of vLLM endpoints: each Generate goes to the least-loaded healthy
 * endpoint serving the model (Unavailable at once when there is none), streams through
 * @sophia/openai-upstream with the same failure semantics as the serverless backend, and marks
 * the endpoint suspect when it fails the request. No retry here: the router decides.
 */
export function createGpuInferenceHandler(deps: GpuInferenceDeps): ServiceImpl<typeof InferenceService> {
  const modelMap = deps.modelMap ?? ((id: string) => id);
  const logger = deps.logger ?? silentUpstreamLogger;
  const now = deps.now ?? Date.now;
  return {
    async *generate(request, context) {
      const served = request.model === '' ? '' : modelMap(request.model);
      if (served === undefined) throw new ConnectError(`model "${request.model}" is not served by the GPU pool`, Code.NotFound);
      const lease = deps.acquire ? await deps.acquire(served, context.signal) : deps.pool.acquire(served);
      let slot: () => void = () => undefined;
      if (deps.gates) {
        try {
          slot = await deps.gates.gate(lease.url).acquire(context.signal, context.timeoutMs());
        } catch (err) {
          lease.release();
          if (err instanceof GateBusyError || err instanceof GateWaitTimeoutError) throw busy(err);
          throw mapCallerAbort(context.signal.reason ?? err, lease.url);
        }
      }
      const firstTokenMs = deps.ttft ? deps.ttft.limitMs(lease.url) : deps.timeouts?.firstTokenMs;
      const startedAt = now();
      let first = true;
      try {
        for await (const event of generateFromUpstream({
          request,
          context,
          upstreamModel: served,
          baseUrl: `${lease.url}/v1`,
          endpoint: lease.url,
          // The GPU pool runs vLLM's OpenAI-compatible server (gen_ai.provider.name on the model-call span).
          provider: 'vllm',
          ...(deps.apiKey ? { apiKey: deps.apiKey } : {}),
          timeouts: { ...deps.timeouts, ...(firstTokenMs !== undefined ? { firstTokenMs } : {}) },
          logger,
          // A backend failure marks the endpoint suspect; anything else just frees its slot.
          settle: (outcome) => {
            slot();
            lease.release(outcome.kind === 'backend_failure' ? outcome.message : undefined);
          },
        })) {
          if (first) {
            first = false;
            deps.ttft?.observe(lease.url, now() - startedAt);
          }
          yield event;
        }
      } catch (err) {
        // Past its first-token limit: it is slower than it was, which lifts the limit it learned.
        if (first && upstreamFailureKind(err) === UpstreamFailureKind.TtftTimeout) deps.ttft?.observeCensored(lease.url, now() - startedAt);
        throw err;
      }
    },

    async embed(request, context) {
      const served = modelMap(request.model);
      if (served === undefined || request.model === '') throw new ConnectError(`model "${request.model}" is not served by the GPU pool`, Code.NotFound);
      const lease = deps.acquire ? await deps.acquire(served, context.signal) : deps.pool.acquire(served);
      try {
        const result = await createEmbeddings({
          baseUrl: `${lease.url}/v1`,
          ...(deps.apiKey ? { apiKey: deps.apiKey } : {}),
          model: served,
          input: request.input,
          ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
          user: request.user || request.tenant,
          ...(deps.timeouts ? { timeouts: deps.timeouts } : {}),
          signal: context.signal,
        });
        lease.release(undefined);
        return { data: result.vectors.map((values) => ({ values })), usage: result.usage, endpoint: lease.url, upstreamModel: result.upstreamModel };
      } catch (err) {
        lease.release(isBackendFailure(err) ? ConnectError.from(err).rawMessage : undefined);
        throw err;
      }
    },

    listModels() {
      const byModel = new Map<string, string[]>();
      for (const ep of deps.pool.snapshot()) {
        if (!ep.healthy) continue;
        for (const model of ep.models) byModel.set(model, [...(byModel.get(model) ?? []), ep.url]);
      }
      return {
        models: [...byModel.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, endpoints]) => ({ id, backend: Backend.GPU, endpoints })),
      };
    },

    getCapacity() {
      const endpoints = deps.pool.snapshot();
      deps.gates?.retain(endpoints.map((ep) => ep.url));
      return {
        backend: Backend.GPU,
        endpoints: endpoints.map((ep) => ({
          endpoint: ep.url,
          healthy: ep.healthy,
          requestsRunning: ep.running,
          requestsWaiting: ep.waiting + (deps.gates?.gate(ep.url).depth() ?? 0),
          kvCacheUsage: ep.kvCacheUsage,
          models: [...ep.models],
          lastError: ep.lastError,
        })),
        healthyEndpoints: endpoints.filter((ep) => ep.healthy).length,
        totalRunning: endpoints.reduce((sum, ep) => sum + ep.running, 0),
        totalWaiting: endpoints.reduce((sum, ep) => sum + ep.waiting + (deps.gates?.gate(ep.url).depth() ?? 0), 0),
      };
    },
  };
}

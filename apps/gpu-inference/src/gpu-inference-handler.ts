import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { Backend } from '@sophia/contracts/common';
import type { InferenceService } from '@sophia/contracts/inference';
import { generateFromUpstream, silentUpstreamLogger, type UpstreamLogger, type UpstreamTimeouts } from '@sophia/openai-upstream';
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
  return {
    async *generate(request, context) {
      const served = request.model === '' ? '' : modelMap(request.model);
      if (served === undefined) throw new ConnectError(`model "${request.model}" is not served by the GPU pool`, Code.NotFound);
      const lease = deps.acquire ? await deps.acquire(served, context.signal) : deps.pool.acquire(served);
      yield* generateFromUpstream({
        request,
        context,
        upstreamModel: served,
        baseUrl: `${lease.url}/v1`,
        endpoint: lease.url,
        // The GPU pool runs vLLM's OpenAI-compatible server (gen_ai.provider.name on the model-call span).
        provider: 'vllm',
        ...(deps.apiKey ? { apiKey: deps.apiKey } : {}),
        ...(deps.timeouts ? { timeouts: deps.timeouts } : {}),
        logger,
        // A backend failure marks the endpoint suspect; anything else just frees its slot.
        settle: (outcome) => lease.release(outcome.kind === 'backend_failure' ? outcome.message : undefined),
      });
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
      return {
        backend: Backend.GPU,
        endpoints: endpoints.map((ep) => ({
          endpoint: ep.url,
          healthy: ep.healthy,
          requestsRunning: ep.running,
          requestsWaiting: ep.waiting,
          kvCacheUsage: ep.kvCacheUsage,
          models: [...ep.models],
          lastError: ep.lastError,
        })),
        healthyEndpoints: endpoints.filter((ep) => ep.healthy).length,
        totalRunning: endpoints.reduce((sum, ep) => sum + ep.running, 0),
        totalWaiting: endpoints.reduce((sum, ep) => sum + ep.waiting, 0),
      };
    },
  };
}

import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { Backend } from '@sophia/contracts/common';
import { EndpointCapacitySchema, type InferenceService } from '@sophia/contracts/inference';
import { apiUrl, generateFromUpstream, listUpstreamModels, silentUpstreamLogger, type UpstreamLogger, type UpstreamTimeouts } from '@sophia/openai-upstream';
import { createHealthTracker, type HealthTrackerOptions } from './health-tracker.ts';
import { createModelListCache } from './model-list-cache.ts';

/** Everything the serverless backend needs; config parsing happens elsewhere (serverless-config.ts). */
export interface ServerlessInferenceDeps {
  /** Provider API root, e.g. `https://api.together.xyz/v1`. */
  baseUrl: string;
  apiKey?: string;
  /** Name reported as `endpoint` (GenerateDone, capacity). @default the base URL's host */
  providerName?: string;
  /**
   * Catalog model id → the provider's model id; `undefined` means "not offered here" (NotFound).
   * @default identity
   */
  modelMap?: (catalogModelId: string) => string | undefined;
  /** Catalog ids to list in ListModels instead of asking the provider's `/v1/models`. */
  models?: readonly string[];
  timeouts?: UpstreamTimeouts;
  /** How long a `/v1/models` answer is reused. @default 60000 */
  modelsCacheTtlMs?: number;
  health?: HealthTrackerOptions;
  logger?: UpstreamLogger;
}

/**
 * InferenceService over one OpenAI-compatible pay-per-token provider. Generate streams deltas
 * then one `done`, or fails with the codes of @sophia/openai-upstream (see README); client
 * cancellation and deadlines abort the upstream request at once. ListModels comes from config
 * or the provider's `/v1/models` (cached); GetCapacity reports one endpoint whose health is
 * judged from recent request outcomes.
 */
export function createServerlessInferenceHandler(deps: ServerlessInferenceDeps): ServiceImpl<typeof InferenceService> {
  const baseUrl = apiUrl(deps.baseUrl, 'x').href.replace(/\/x$/, ''); // validates early, normalises
  const provider = deps.providerName ?? new URL(baseUrl).host;
  const modelMap = deps.modelMap ?? ((id: string) => id);
  const logger = deps.logger ?? silentUpstreamLogger;
  const health = createHealthTracker(deps.health);
  let inFlight = 0;
  const modelCache = createModelListCache({
    load: () => listUpstreamModels({ baseUrl, ...(deps.apiKey ? { apiKey: deps.apiKey } : {}) }),
    ...(deps.modelsCacheTtlMs !== undefined ? { ttlMs: deps.modelsCacheTtlMs } : {}),
    onStale: (err) => logger.warn({ err, provider }, 'model list refresh failed; serving the cached list'),
  });
  const listModels = async (): Promise<readonly string[]> => deps.models ?? (await modelCache.get());

  return {
    async *generate(request, context) {
      const upstreamModel = request.model === '' ? '' : modelMap(request.model);
      if (upstreamModel === undefined) {
        throw new ConnectError(`model "${request.model}" is not offered by serverless provider ${provider}`, Code.NotFound);
      }
      inFlight += 1;
      yield* generateFromUpstream({
        request,
        context,
        upstreamModel,
        baseUrl,
        endpoint: provider,
        ...(deps.apiKey ? { apiKey: deps.apiKey } : {}),
        ...(deps.timeouts ? { timeouts: deps.timeouts } : {}),
        logger,
        settle: (outcome) => {
          inFlight -= 1;
          if (outcome.kind === 'ok') health.success();
          else if (outcome.kind === 'backend_failure') health.failure(outcome.message);
        },
      });
    },

    async listModels() {
      const models = await listModels();
      return { models: models.map((id) => ({ id, backend: Backend.SERVERLESS, endpoints: [provider] })) };
    },

    getCapacity() {
      const healthy = health.healthy();
      const endpoint = create(EndpointCapacitySchema, {
        endpoint: provider,
        healthy,
        requestsRunning: inFlight,
        requestsWaiting: 0,
        kvCacheUsage: 0,
        models: [...(deps.models ?? modelCache.peek() ?? [])],
        lastError: health.lastError(),
      });
      return {
        backend: Backend.SERVERLESS,
        endpoints: [endpoint],
        healthyEndpoints: healthy ? 1 : 0,
        totalRunning: inFlight,
        totalWaiting: 0,
      };
    },
  };
}

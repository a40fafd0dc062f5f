import { InferenceService } from '@sophia/contracts/inference';
import { closeUpstreamDispatchers } from '@sophia/openai-upstream';
import { runService, serviceRegistration } from '@sophia/platform';
import { loadCatalog } from '@sophia/price-catalog';
import { z } from 'zod';
import { createEndpointPool } from './endpoint-pool.ts';
import { registerPoolGauges } from './pool-gauges.ts';
import { gpuConfigSchema, gpuOptionsFromConfig } from './gpu-config.ts';
import { createGpuInferenceHandler } from './gpu-inference-handler.ts';

await runService({
  name: 'gpu-inference',
  configSchema: gpuConfigSchema.extend({ SOPHIA_CATALOG_PATH: z.string().min(1).optional() }),
  portKey: 'SOPHIA_GPU_INFERENCE_PORT',
  defaultPort: 50055,
  async start({ config, logger, metrics }) {
    const options = gpuOptionsFromConfig(config);
    if (options.pool.urls.length === 0) logger.warn('SOPHIA_GPU_BASE_URLS is empty: every Generate will be UNAVAILABLE');
    const pool = createEndpointPool({ ...options.pool, logger });
    await pool.start(); // first probe round before serving, so the first request sees the pool
    const healthy = pool.snapshot().filter((ep) => ep.healthy).length;
    logger.info({ endpoints: options.pool.urls, healthy }, 'gpu pool started');
    // Catalog ids become vLLM served-model names from the catalog; SOPHIA_GPU_MODEL_MAP wins.
    const catalog = loadCatalog(config.SOPHIA_CATALOG_PATH);
    const explicit = options.handler.modelMap;
    const modelMap = (id: string): string => {
      const mapped = explicit?.(id);
      if (mapped !== undefined && mapped !== id) return mapped;
      return catalog.findModel(id)?.gpu?.servedModel ?? id;
    };
    const handler = createGpuInferenceHandler({ ...options.handler, modelMap, pool, logger });
    registerPoolGauges(pool, metrics.registry);
    return {
      services: [serviceRegistration(InferenceService, handler)],
      close: async () => {
        pool.stop();
        await closeUpstreamDispatchers();
      },
    };
  },
});

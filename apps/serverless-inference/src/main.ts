import { InferenceService } from '@sophia/contracts/inference';
import { closeUpstreamDispatchers } from '@sophia/openai-upstream';
import { runService, serviceRegistration } from '@sophia/platform';
import { loadCatalog } from '@sophia/price-catalog';
import { z } from 'zod';
import { serverlessConfigSchema, serverlessDepsFromConfig } from './serverless-config.ts';
import { createServerlessInferenceHandler } from './serverless-inference-handler.ts';

await runService({
  name: 'serverless-inference',
  configSchema: serverlessConfigSchema.extend({ SOPHIA_CATALOG_PATH: z.string().min(1).optional() }),
  portKey: 'SOPHIA_SERVERLESS_INFERENCE_PORT',
  defaultPort: 50054,
  async start({ config, logger }) {
    const { deps, warnings } = serverlessDepsFromConfig(config);
    for (const warning of warnings) logger.warn(warning);
    logger.info({ baseUrl: deps.baseUrl, provider: deps.providerName, hasKey: deps.apiKey !== undefined }, 'serverless upstream configured');
    // Catalog ids become the provider's model names from the catalog; SOPHIA_SERVERLESS_MODEL_MAP wins.
    const catalog = loadCatalog(config.SOPHIA_CATALOG_PATH);
    const explicit = deps.modelMap;
    const modelMap = (id: string): string => {
      const mapped = explicit?.(id);
      if (mapped !== undefined && mapped !== id) return mapped;
      return catalog.findModel(id)?.serverless?.providerModel ?? id;
    };
    const handler = createServerlessInferenceHandler({ ...deps, modelMap, logger });
    return {
      services: [serviceRegistration(InferenceService, handler)],
      close: () => closeUpstreamDispatchers(),
    };
  },
});

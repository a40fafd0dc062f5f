import { InferenceService } from '@sophia/contracts/inference';
import { closeUpstreamDispatchers } from '@sophia/openai-upstream';
import { defineHostedService, serviceRegistration } from '@sophia/platform';
import { createCatalogWatcher, loadCatalog, type PriceCatalog } from '@sophia/price-catalog';
import { z } from 'zod';
import { serverlessConfigSchema, serverlessDepsFromConfig } from './serverless-config.ts';
import { createServerlessInferenceHandler } from './serverless-inference-handler.ts';

/** Serverless inference for a host: InferenceService over OpenAI-compatible pay-per-token providers. */
export const serverlessInferenceService = defineHostedService(serverlessConfigSchema.extend({ SOPHIA_CATALOG_PATH: z.string().min(1).optional() }), async ({ config, logger, metrics, env }) => {
  // The catalog is read live when it is a file of ours: offers and prices change without a restart.
  const path = config.SOPHIA_CATALOG_PATH;
  const watcher = path === undefined ? undefined : createCatalogWatcher(path, () => logger.info('price catalog reloaded'), { onError: (err) => logger.error({ err }, 'price catalog reload failed; keeping the previous one') });
  const initial = watcher?.current() ?? loadCatalog();
  const catalog = (): PriceCatalog => watcher?.current() ?? initial;
  const { deps, warnings } = serverlessDepsFromConfig(config, env, initial);
  for (const warning of warnings) logger.warn(warning);
  if (deps.providers) {
    logger.info({ providers: deps.providers.map((p) => ({ name: p.name, baseUrl: p.baseUrl, hasKey: p.apiKey !== undefined, maxInFlight: p.maxInFlight, http2: p.http2 })) }, 'serverless providers configured');
  } else {
    logger.info({ baseUrl: deps.baseUrl, provider: deps.providerName, hasKey: deps.apiKey !== undefined }, 'serverless upstream configured');
  }
  // One-provider mode: catalog ids become the provider's model names (its catalog offer, else the
  // reference rate card's); SOPHIA_SERVERLESS_MODEL_MAP wins.
  const explicit = deps.modelMap;
  const provider = deps.providerName;
  const modelMap = (id: string): string => {
    const mapped = explicit?.(id);
    if (mapped !== undefined && mapped !== id) return mapped;
    const model = catalog().findModel(id);
    return model?.offers.find((o) => o.provider === provider)?.providerModel ?? model?.serverless?.providerModel ?? id;
  };
  const handler = createServerlessInferenceHandler({ ...deps, ...(deps.providers ? {} : { modelMap }), catalog, registry: metrics.registry, logger });
  return {
    services: [serviceRegistration(InferenceService, handler)],
    close: async () => {
      watcher?.close();
      await closeUpstreamDispatchers();
    },
  };
});

import { InferenceService } from '@sophia/contracts/inference';
import { closeUpstreamDispatchers } from '@sophia/openai-upstream';
import { runService, serviceRegistration } from '@sophia/platform';
import { serverlessConfigSchema, serverlessDepsFromConfig } from './serverless-config.ts';
import { createServerlessInferenceHandler } from './serverless-inference-handler.ts';

await runService({
  name: 'serverless-inference',
  configSchema: serverlessConfigSchema,
  portKey: 'SOPHIA_SERVERLESS_INFERENCE_PORT',
  defaultPort: 50061,
  async start({ config, logger }) {
    const { deps, warnings } = serverlessDepsFromConfig(config);
    for (const warning of warnings) logger.warn(warning);
    logger.info({ baseUrl: deps.baseUrl, provider: deps.providerName, hasKey: deps.apiKey !== undefined }, 'serverless upstream configured');
    const handler = createServerlessInferenceHandler({ ...deps, logger });
    return {
      services: [serviceRegistration(InferenceService, handler)],
      close: () => closeUpstreamDispatchers(),
    };
  },
});

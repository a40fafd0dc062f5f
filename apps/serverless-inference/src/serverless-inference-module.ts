import type { ServiceModule } from '@sophia/platform';

/** The serverless-inference service's registration in the hosting model (apps/mesh/src/service-registry.ts lists it). */
export const serverlessInferenceModule: ServiceModule = {
  name: 'serverless-inference',
  portKey: 'SOPHIA_SERVERLESS_INFERENCE_PORT',
  defaultPort: 50054,
  dependsOn: {},
  load: async () => (await import('./serverless-inference-service.ts')).serverlessInferenceService,
};

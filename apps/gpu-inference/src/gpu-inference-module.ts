import type { ServiceModule } from '@sophia/platform';

/** The gpu-inference service's registration in the hosting model (apps/mesh/src/service-registry.ts lists it). */
export const gpuInferenceModule: ServiceModule = {
  name: 'gpu-inference',
  portKey: 'SOPHIA_GPU_INFERENCE_PORT',
  defaultPort: 50055,
  /** The ledger's serverless usage feeds the fleet's break-even and prewarm (optional: without it they see GPU traffic only). */
  dependsOn: { ledger: 'optional' },
  load: async () => (await import('./gpu-inference-service.ts')).gpuInferenceService,
};

import type { ServiceModule } from '@sophia/platform';

/** The classifier service's registration in the hosting model (apps/mesh/src/service-registry.ts lists it). */
export const classifierModule: ServiceModule = {
  name: 'classifier',
  portKey: 'SOPHIA_CLASSIFIER_PORT',
  defaultPort: 50051,
  dependsOn: {},
  load: async () => (await import('./classifier-service.ts')).classifierService,
};

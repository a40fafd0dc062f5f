import type { ServiceModule } from '@sophia/platform';

/**
 * The router's registration in the hosting model: it calls the classifier, the ledger and both
 * inference backends, each optional (a missing backend is UNAVAILABLE per request, not a start failure).
 */
export const routerModule: ServiceModule = {
  name: 'router',
  portKey: 'SOPHIA_ROUTER_PORT',
  defaultPort: 50052,
  dependsOn: { classifier: 'optional', ledger: 'optional', 'serverless-inference': 'optional', 'gpu-inference': 'optional' },
  load: async () => (await import('./router-service.ts')).routerService,
};

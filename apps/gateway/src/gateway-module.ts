import type { ServiceModule } from '@sophia/platform';

/**
 * The gateway's registration in the hosting model: an HTTP port (REST + Connect/gRPC/gRPC-Web) in
 * front of the router, which it cannot do without; the SQL service, the ledger (dashboard reports) and
 * gpu-inference (live GPU capacity) when there are.
 */
export const gatewayModule: ServiceModule = {
  name: 'gateway',
  portKey: 'SOPHIA_GATEWAY_PORT',
  defaultPort: 8080,
  dependsOn: { router: 'required', sql: 'optional', ledger: 'optional', 'gpu-inference': 'optional' },
  load: async () => (await import('./gateway-service.ts')).gatewayService,
};

import type { ServiceModule } from '@sophia/platform';
import { classifierModule } from '@sophia/classifier/module';
import { gatewayModule } from '@sophia/gateway/module';
import { gpuInferenceModule } from '@sophia/gpu-inference/module';
import { ledgerModule } from '@sophia/ledger/module';
import { mcpModule } from '@sophia/mcp/module';
import { routerModule } from '@sophia/router/module';
import { serverlessInferenceModule } from '@sophia/serverless-inference/module';
import { sqlModule } from '@sophia/sql/module';

/**
 * Every service of the mesh, the one place a service is added (like Mimir's modules.go): its name,
 * the services it calls, its port key and how to load it. A host process runs the ones
 * SOPHIA_SERVICES names (`all` by default) and `npm start` (tools/dev) starts them in one process
 * or one process each from this list. Registrations are light: a service's code is loaded only
 * by a process that hosts it.
 */
export const serviceRegistry: readonly ServiceModule[] = [
  classifierModule,
  ledgerModule,
  serverlessInferenceModule,
  gpuInferenceModule,
  routerModule,
  sqlModule,
  gatewayModule,
  mcpModule,
];

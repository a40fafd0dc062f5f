// The gateway alone in its process: `node apps/gateway/src/main.ts` (the same as
// SOPHIA_SERVICES=gateway under apps/mesh). Exit 2 on bad configuration (every bad key named on
// stderr), 0 after a graceful SIGTERM/SIGINT drain, 1 if start or drain fails.
import { runServiceHost } from '@sophia/platform';
import { gatewayModule } from './gateway-module.ts';

await runServiceHost({ registry: [gatewayModule] });

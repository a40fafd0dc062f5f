// The mesh host: `SOPHIA_SERVICES=all node apps/mesh/src/main.ts` runs every service in this one
// process (calls between them in process), `SOPHIA_SERVICES=gateway,router,classifier` a co-hosted
// group, `SOPHIA_SERVICES=router` one service. Exit 2 on bad configuration (every bad key named),
// 1 when a service fails to start, 0 after a graceful SIGTERM/SIGINT drain.
import { runServiceHost } from '@sophia/platform';
import { serviceRegistry } from './service-registry.ts';

await runServiceHost({ registry: serviceRegistry });

// The router alone in its process: `node apps/router/src/main.ts` (same as SOPHIA_SERVICES=router
// under apps/mesh); its dependencies are reached over gRPC at SOPHIA_<NAME>_ADDR.
import { runServiceHost } from '@sophia/platform';
import { routerModule } from './router-module.ts';

await runServiceHost({ registry: [routerModule] });

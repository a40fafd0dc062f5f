// The mesh host: `SOPHIA_SERVICES=all node apps/mesh/src/main.ts` runs every service in this one
// process (calls between them in process), `SOPHIA_SERVICES=gateway,router,classifier` a co-hosted
// group, `SOPHIA_SERVICES=router` one service. Exit 2 on bad configuration (every bad key named),
// 1 when a service fails to start, 0 after a graceful SIGTERM/SIGINT drain.
// `--load-only`: load this entry and every registered service's code, start nothing, exit 0 — with
// NODE_COMPILE_CACHE set this fills Node's compile cache, so hosts started later never load Node's
// TypeScript stripper (tools/dev/src/compile-cache.ts).
import { flushCompileCache } from 'node:module';
import { runServiceHost } from '@sophia/platform';
import { serviceRegistry } from './service-registry.ts';

if (process.argv.includes('--load-only')) {
  for (const module of serviceRegistry) await module.load();
  flushCompileCache();
  process.exit(0);
}
await runServiceHost({ registry: serviceRegistry });

// `node tools/dev/src/warm-compile-cache.ts` with NODE_COMPILE_CACHE set (see compile-cache.ts):
// loads the code of every registered service, as a host of all of them would, without starting any,
// then writes Node's compile cache. Exit 0 when written, 1 when a service's code failed to load or the
// cache could not be enabled.
import { constants, flushCompileCache, getCompileCacheDir } from 'node:module';
import { serviceRegistry } from '@sophia/mesh/registry';

if (getCompileCacheDir() === undefined) {
  process.stderr.write(`warm-compile-cache: Node did not enable its compile cache (NODE_COMPILE_CACHE=${process.env['NODE_COMPILE_CACHE'] ?? ''}; status codes ${JSON.stringify(constants.compileCacheStatus)})\n`);
  process.exit(1);
}
for (const module of serviceRegistry) await module.load();
flushCompileCache();
process.exit(0);

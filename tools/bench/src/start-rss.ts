import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import type { ServiceModule } from '@sophia/platform';

/**
 * `node tools/bench/src/start-rss.ts [--services a,b,…]`: what loading each service's code costs
 * before anything starts — RSS and JS heap after a full GC, measured in this one process as a mesh
 * host loads them: Node itself, the shared platform (gRPC, protobuf, zod, OpenTelemetry,
 * prom-client), then each service's `load()` in registry order (default: every service, as
 * `SOPHIA_SERVICES=all`). A service listed later pays only for what earlier ones did not load.
 */
const { values } = parseArgs({ options: { services: { type: 'string', default: 'all' } } });

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mib = (bytes: number): string => (bytes / 1_048_576).toFixed(1).padStart(7);
let previous = 0;
const lines = ['loaded                       RSS MiB   +MiB   heap MiB'];
const measure = (label: string): void => {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  lines.push(`${label.padEnd(26)}${mib(rss)}${mib(rss - previous)}${mib(heapUsed)}`);
  previous = rss;
};

// Loaded at run time, after the baseline is measured, by file (the same modules @sophia/platform and
// @sophia/mesh/registry resolve to): loading late is what is measured here, so the lint rule against
// lazy-loading a library that other files import statically is not what this is about.
const repoFile = (path: string): string => new URL(`../../../${path}`, import.meta.url).href;
measure('node');
await import(repoFile('libs/platform/src/index.ts'));
measure('@sophia/platform');
const { serviceRegistry } = (await import(repoFile('apps/mesh/src/service-registry.ts'))) as { serviceRegistry: readonly ServiceModule[] };
const wanted = values.services === 'all' ? serviceRegistry.map((m) => m.name) : values.services.split(',').map((s) => s.trim());
for (const name of wanted) {
  const module = serviceRegistry.find((m) => m.name === name);
  if (!module) throw new Error(`--services: unknown service ${JSON.stringify(name)} (known: ${serviceRegistry.map((m) => m.name).join(', ')})`);
  await module.load();
  measure(`+ ${name}`);
}
process.stdout.write(`${lines.join('\n')}\n`);

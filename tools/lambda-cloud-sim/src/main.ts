// The simulator as a process (npm start, e2e): stdout carries exactly one JSON line once listening
// (`{"event":"listening","url"}`), logs go to stderr. Flags: --port N (0), --boot-ms N (3000),
// --api-key KEY (or SOPHIA_LAMBDA_API_KEY; default "sim-key"), --launch-interval-ms N (0),
// --catalog FILE, --sold-out TYPE[,TYPE] (instance types with no capacity anywhere, so launches fall
// back to the catalog's alternates). Exit 2 on bad flags, 1 when it cannot listen, 0 after SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { loadCatalog } from '@sophia/price-catalog';
import { createLambdaCloudSimulator } from './lambda-cloud-simulator.ts';
import { simInstanceTypes } from './sim-instance-types.ts';

function fail(message: string, code: number): never {
  process.stderr.write(`lambda-cloud-sim: ${message}\n`);
  process.exit(code);
}

let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({
    options: { port: { type: 'string' }, 'boot-ms': { type: 'string' }, 'api-key': { type: 'string' }, 'launch-interval-ms': { type: 'string' }, catalog: { type: 'string' }, 'sold-out': { type: 'string' } },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message, 2);
}
const int = (name: string, fallback: number): number => {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got "${raw}"`, 2);
  return n;
};

const instanceTypes = simInstanceTypes(loadCatalog(values['catalog']));
const soldOut = (values['sold-out'] ?? '').split(',').filter((t) => t !== '');
for (const t of soldOut) if (!instanceTypes.some((known) => known.name === t)) fail(`--sold-out: unknown instance type "${t}" (known: ${instanceTypes.map((k) => k.name).join(', ')})`, 2);

try {
  const simulator = await createLambdaCloudSimulator({
    apiKey: values['api-key'] ?? process.env['SOPHIA_LAMBDA_API_KEY'] ?? 'sim-key',
    instanceTypes,
    capacityPerType: Object.fromEntries(soldOut.map((t) => [t, 0])),
    port: int('port', 0),
    bootMs: int('boot-ms', 3000),
    launchIntervalMs: int('launch-interval-ms', 0),
  });
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: simulator.url })}\n`);
  process.stderr.write(`lambda-cloud-sim: listening on ${simulator.url}/api/v1\n`);
  const shutdown = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  if (process.channel) {
    process.once('disconnect', shutdown);
    process.channel.unref();
  }
} catch (error) {
  fail(`cannot start: ${error instanceof Error ? error.message : String(error)}`, 1);
}

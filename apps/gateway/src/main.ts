// Process entry point: `node apps/gateway/src/main.ts`. Exit 2 on bad configuration (every bad
// key named on stderr), 0 after a graceful SIGTERM/SIGINT drain, 1 if start or drain fails.
import { ConfigError, stopOnSignals } from '@sophia/platform';
import { startGateway } from './start-gateway.ts';

try {
  const gateway = await startGateway({ env: process.env });
  stopOnSignals(() => gateway.stop(), gateway.logger);
} catch (err) {
  if (err instanceof ConfigError) process.exit(2);
  process.stderr.write(`gateway: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
}

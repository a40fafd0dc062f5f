// Process entry point: `node apps/mcp/src/main.ts [--stdio]`. Exit 2 on bad configuration (every
// bad key named on stderr), 0 after SIGTERM/SIGINT (or stdin closing in stdio mode), 1 if start fails.
import { ConfigError, stopOnSignals } from '@sophia/platform';
import { startMcp } from './start-mcp.ts';

const mode = process.argv.includes('--stdio') ? 'stdio' : 'http';
try {
  const mcp = await startMcp({ env: process.env, mode });
  stopOnSignals(() => mcp.stop(), mcp.logger);
  if (mode === 'stdio') process.stdin.once('end', () => void mcp.stop().then(() => process.exit(0)));
} catch (err) {
  if (err instanceof ConfigError) process.exit(2);
  process.stderr.write(`mcp: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
}

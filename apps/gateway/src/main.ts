// Process entry point: `node apps/gateway/src/main.ts`. Exit 2 on bad configuration (every bad
// key named on stderr), 0 after a graceful SIGTERM/SIGINT drain, 1 if start or drain fails.
import { ConfigError } from '@sophia/platform';
import { startGateway } from './start-gateway.ts';

try {
  const gateway = await startGateway({ env: process.env });
  const onSignal = (signal: NodeJS.Signals): void => {
    gateway.logger.info({ signal }, 'signal received');
    gateway.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        gateway.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  // Under an orchestrator (IPC channel): drain when the parent goes away instead of lingering.
  if (process.channel) {
    process.once('disconnect', () => onSignal('SIGTERM'));
    process.channel.unref();
  }
} catch (err) {
  if (err instanceof ConfigError) process.exit(2);
  process.stderr.write(`gateway: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
}

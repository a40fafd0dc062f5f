import type { Logger } from 'pino';

/**
 * Wires a process's graceful stop: SIGTERM or SIGINT runs `stop` and exits 0 (1 if it fails); when the
 * process was started by an orchestrator over an IPC channel (tools/dev), the parent going away counts
 * as SIGTERM, so a killed `npm start` never leaves orphaned services holding ports.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Pick<Logger, 'info' | 'error'>): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'signal received');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  if (process.channel) {
    process.once('disconnect', () => onSignal('SIGTERM'));
    process.channel.unref();
  }
}

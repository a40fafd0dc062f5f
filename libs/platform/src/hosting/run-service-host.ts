import { ConfigError } from '../config-loader.ts';
import { createLogger } from '../logger.ts';
import { stopOnSignals } from '../stop-on-signals.ts';
import { startServiceHost, type RunningServiceHost } from './service-host.ts';
import { startupFailure } from './startup-failure.ts';
import type { ServiceModule } from './service-module.ts';

/** Options for {@link runServiceHost}. */
export interface RunServiceHostOptions {
  readonly registry: readonly ServiceModule[];
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A host process's lifecycle: start the services SOPHIA_SERVICES names, drain them on SIGTERM/
 * SIGINT (or when the orchestrator's IPC channel closes). Exit 2 on bad configuration with every
 * bad key on stderr, 3 with one line when the machine's state prevents a start (data directory
 * full, locked, unusable: see startup-failure.ts), 1 with the stack when a service fails otherwise.
 */
export async function runServiceHost(options: RunServiceHostOptions): Promise<RunningServiceHost> {
  const env = options.env ?? process.env;
  const label = env['SOPHIA_SERVICES'] ?? (options.registry.length === 1 ? options.registry[0]!.name : 'all');
  let host: Promise<RunningServiceHost> | undefined;
  let wired = false;
  // Signals are wired just before the first listening line goes out, not once every co-hosted service
  // has started: an orchestrator may stop the process as soon as it reads that line, and a SIGTERM
  // then drains what has started (once the rest has finished starting) instead of killing the process.
  // Before that line nothing serves, and a signal ends the process as it always did.
  const announce = (line: string): void => {
    if (!wired) {
      wired = true;
      // Configuration has been parsed by now: SOPHIA_LOG_LEVEL is valid (or unset: info).
      stopOnSignals(async () => (await host!).stop(), createLogger({ service: label, level: env['SOPHIA_LOG_LEVEL'] }));
    }
    process.stdout.write(`${line}\n`);
  };
  try {
    host = startServiceHost({ registry: options.registry, env, announce });
    return await host;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${label}: ${err.message}\n`);
      process.exit(2);
    }
    const failure = startupFailure(label, err);
    process.stderr.write(failure.text);
    process.exit(failure.exitCode);
  }
}

import { ConfigError } from '../config-loader.ts';
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
  try {
    const host = await startServiceHost({ registry: options.registry, env });
    const logger = host.instances[0]!.logger;
    stopOnSignals(() => host.stop(), logger);
    return host;
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

import type { DescService } from '@bufbuild/protobuf';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import type { Logger } from 'pino';
import { z } from 'zod';
import { baseConfigSchema } from '../base-config.ts';
import { ConfigError, configValues, loadConfig } from '../config-loader.ts';
import { startGrpcServer, type RunningGrpcServer, type ServiceRegistration } from '../grpc-server.ts';
import { createLogger } from '../logger.ts';
import { createMeshCallGuard } from '../mesh-auth/mesh-call-guard.ts';
import { setMeshCredentials } from '../mesh-auth/mesh-credentials.ts';
import { startMetricsServer, type MetricsServer } from '../metrics-server.ts';
import { createServiceClient, setDefaultClientTransport } from '../service-client.ts';
import { createServiceMetrics, type ServiceMetrics } from '../service-metrics.ts';
import { createServiceTelemetry } from '../telemetry/service-telemetry.ts';
import type { ServiceTelemetry } from '../telemetry/service-telemetry-types.ts';
import { createInProcessClient, type InProcessTarget } from './in-process-client.ts';
import { addressKey, type BaseConfig, type HostedService, type ServiceModule, type StartedService } from './service-module.ts';
import { selectServices } from './service-selection.ts';

/** Options for {@link startServiceHost}. */
export interface StartServiceHostOptions {
  /** Every service the mesh knows, in registry order. */
  readonly registry: readonly ServiceModule[];
  /** Configuration for every hosted service (documented keys); SOPHIA_SERVICES picks the services. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Receives one machine-readable "listening" line per service. @default stdout */
  readonly announce?: (line: string) => void;
}

/** One service running in this host. */
export interface HostedInstance {
  readonly module: ServiceModule;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Its tracer (`service.name` of its own) and GenAI metrics. */
  readonly telemetry: ServiceTelemetry;
  readonly started: StartedService;
  /** Its gRPC server (health, reflection), or undefined for a service with no gRPC port. */
  readonly grpc: RunningGrpcServer | undefined;
  readonly metricsServer: MetricsServer;
  /** The JSON listening line it announced. */
  readonly listening: Readonly<Record<string, unknown>>;
}

/** A process hosting one or more services. */
export interface RunningServiceHost {
  /** Hosted services in start order. */
  readonly instances: readonly HostedInstance[];
  readonly base: BaseConfig;
  /** Drains every service, last started first (the gateway before the services it calls). */
  stop(): Promise<void>;
}

interface Prepared {
  readonly module: ServiceModule;
  readonly hosted: HostedService;
  readonly config: Record<string, unknown>;
  readonly port: number;
  readonly metricsPort: number;
  readonly addresses: ReadonlyMap<string, string>;
}

/**
 * Parses every hosted service's configuration against the same source, collecting all problems
 * (ConfigError lists them all): its own schema, its port and metrics-port keys, and the address of
 * each dependency it does not host (required ones must be set).
 */
function prepare(modules: readonly ServiceModule[], loaded: readonly HostedService[], env: StartServiceHostOptions['env'], hostedNames: ReadonlySet<string>): Prepared[] {
  const keyShapes = modules.map((module) => {
    const metricsKey = module.portKey.replace(/_PORT$/, '_METRICS_PORT');
    const deps = Object.keys(module.dependsOn).filter((d) => !hostedNames.has(d));
    return {
      module,
      metricsKey,
      deps,
      schema: z.object({
        [module.portKey]: configValues.port(module.defaultPort),
        [metricsKey]: configValues.port(0),
        ...Object.fromEntries(deps.map((d) => [addressKey(d), configValues.address().optional()])),
      }),
    };
  });
  const knownKeys = new Set<string>([
    'SOPHIA_SERVICES',
    ...Object.keys(baseConfigSchema.shape),
    ...loaded.flatMap((h) => Object.keys(h.configSchema.shape)),
    ...keyShapes.flatMap((k) => Object.keys(k.schema.shape)),
  ]);
  const problems = new Set<string>();
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of err.problems) problems.add(p);
      return undefined;
    }
  };
  const base = attempt(() => loadConfig(baseConfigSchema, { env, knownKeys }));
  const prepared: Prepared[] = [];
  modules.forEach((module, i) => {
    const keys = keyShapes[i]!;
    const own = attempt(() => loadConfig(loaded[i]!.configSchema, { env, knownKeys }) as Record<string, unknown>);
    const hostKeys = attempt(() => loadConfig(keys.schema, { env, knownKeys }) as Record<string, unknown>);
    const addresses = new Map<string, string>();
    for (const dep of keys.deps) {
      const address = hostKeys?.[addressKey(dep)];
      if (typeof address === 'string') addresses.set(dep, address);
      else if (module.dependsOn[dep] === 'required' && (hostKeys !== undefined || !env[addressKey(dep)])) {
        problems.add(`${addressKey(dep)}: required — ${module.name} calls ${dep}, which this process does not host (add it to SOPHIA_SERVICES or give its host:port)`);
      }
    }
    if (own && hostKeys && base) {
      prepared.push({
        module,
        hosted: loaded[i]!,
        config: { ...base, ...hostKeys, ...own },
        port: hostKeys[module.portKey] as number,
        metricsPort: hostKeys[keys.metricsKey] as number,
        addresses,
      });
    }
  });
  if (problems.size > 0) throw new ConfigError([...problems]);
  return prepared;
}

// One target object per hosted instance and service: the in-process client binds its method
// closures and metric labels to the target it resolved, and rebinds only when that object changes
// (a restarted instance), not on every call.
const targets = new WeakMap<HostedInstance, Map<string, InProcessTarget>>();

/** The in-process target for `service` in the hosted instance `name`, or UNAVAILABLE while it is not serving. */
function targetIn(instances: ReadonlyMap<string, { instance?: HostedInstance; shutdown: AbortController }>, name: string, service: DescService): InProcessTarget {
  const entry = instances.get(name);
  const instance = entry?.instance;
  if (!entry || !instance || entry.shutdown.signal.aborted) throw new ConnectError(`${name} is not serving in this process`, Code.Unavailable);
  let byService = targets.get(instance);
  if (byService === undefined) {
    byService = new Map();
    targets.set(instance, byService);
  }
  const known = byService.get(service.typeName);
  if (known !== undefined && known.shutdownSignal === entry.shutdown.signal) return known;
  const registration: ServiceRegistration | undefined = instance.started.services.find((r) => r.service.typeName === service.typeName);
  if (!registration) throw new ConnectError(`${name} does not serve ${service.typeName}`, Code.Unimplemented);
  const target: InProcessTarget = { impl: registration.impl, logger: instance.logger, metrics: instance.metrics, shutdownSignal: entry.shutdown.signal, telemetry: instance.telemetry };
  byService.set(service.typeName, target);
  return target;
}

/**
 * Hosts the services SOPHIA_SERVICES names (default `all`) in this process, as Mimir's `-target`
 * does: configuration parsed once for all (failing fast with every bad key), each service started
 * after the ones it depends on, each on its own gRPC port with health and reflection and its own
 * `/metrics`, each announced with one JSON line. Co-hosted services call each other in process
 * ({@link createInProcessClient}); others over gRPC at `SOPHIA_<NAME>_ADDR`.
 */
export async function startServiceHost(options: StartServiceHostOptions): Promise<RunningServiceHost> {
  const modules = selectServices(options.registry, options.env['SOPHIA_SERVICES']);
  const hostedNames = new Set(modules.map((m) => m.name));
  const loaded = await Promise.all(modules.map((m) => m.load()));
  const prepared = prepare(modules, loaded, options.env, hostedNames);
  const base = prepared[0]!.config as unknown as BaseConfig;
  setDefaultClientTransport(base.SOPHIA_GRPC_CLIENT);
  // The mesh's shared secrets: presented on every outgoing internal call, required of every incoming one.
  setMeshCredentials({ token: base.SOPHIA_MESH_TOKEN, adminToken: base.SOPHIA_MESH_ADMIN_TOKEN });
  const guard = createMeshCallGuard({
    token: base.SOPHIA_MESH_TOKEN,
    adminToken: base.SOPHIA_MESH_ADMIN_TOKEN,
    acceptedTokens: base.SOPHIA_MESH_ACCEPTED_TOKENS,
    acceptedAdminTokens: base.SOPHIA_MESH_ACCEPTED_ADMIN_TOKENS,
  });
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  const entries = new Map<string, { instance?: HostedInstance; shutdown: AbortController }>();
  const instances: HostedInstance[] = [];
  const stopOne = async (instance: HostedInstance): Promise<void> => {
    instance.logger.info('draining');
    await instance.grpc?.shutdown(base.SOPHIA_SHUTDOWN_GRACE_MS);
    entries.get(instance.module.name)?.shutdown.abort(new ConnectError('server is shutting down', Code.Unavailable));
    await instance.started.close?.();
    await instance.metricsServer.close();
    await instance.telemetry.shutdown();
    instance.logger.info('stopped');
    instance.logger.flush();
  };
  const stopAll = async (): Promise<void> => {
    for (const instance of instances.splice(0).reverse()) await stopOne(instance);
  };
  try {
    for (const p of prepared) {
      const name = p.module.name;
      const logger = createLogger({ service: name, level: base.SOPHIA_LOG_LEVEL });
      const metrics = createServiceMetrics(name);
      const telemetry = createServiceTelemetry({ service: name, config: base, registry: metrics.registry });
      const entry: { instance?: HostedInstance; shutdown: AbortController } = { shutdown: new AbortController() };
      entries.set(name, entry);
      const connect = <S extends DescService>(service: S, dep: string): Client<S> | undefined => {
        if (hostedNames.has(dep)) return createInProcessClient(service, () => targetIn(entries, dep, service));
        const address = p.addresses.get(dep);
        return address === undefined ? undefined : createServiceClient(service, address);
      };
      // Dependencies start first, so a co-hosted one has announced its listening line by now.
      const listeningOf = (dep: string): Readonly<Record<string, unknown>> | undefined => (hostedNames.has(dep) ? entries.get(dep)?.instance?.listening : undefined);
      const started = await p.hosted.start({ config: p.config as Record<string, unknown> & BaseConfig, logger, metrics, telemetry, connect, listeningOf, port: p.port, env: options.env });
      let grpc: RunningGrpcServer | undefined;
      let metricsServer: MetricsServer | undefined;
      try {
        if (started.services.length > 0) grpc = await startGrpcServer({ services: started.services, logger, metrics, telemetry, host: base.SOPHIA_BIND_HOST, port: p.port, guard });
        metricsServer = await startMetricsServer(metrics.registry, { host: base.SOPHIA_BIND_HOST, port: p.metricsPort });
      } catch (err) {
        await grpc?.shutdown(0);
        await started.close?.();
        await telemetry.shutdown();
        throw err;
      }
      const hostForUrl = base.SOPHIA_BIND_HOST.includes(':') ? `[${base.SOPHIA_BIND_HOST}]` : base.SOPHIA_BIND_HOST;
      const listening = {
        event: 'listening',
        service: name,
        ...(grpc ? { grpc: grpc.address } : {}),
        metrics: `http://${hostForUrl}:${metricsServer.port}/metrics`,
        ...started.listening,
        pid: process.pid,
      };
      const instance: HostedInstance = { module: p.module, logger, metrics, telemetry, started, grpc, metricsServer, listening };
      entry.instance = instance;
      instances.push(instance);
      announce(JSON.stringify(listening));
      logger.info({ grpc: grpc?.address, metricsPort: metricsServer.port, inProcess: [...hostedNames].filter((n) => n !== name && n in p.module.dependsOn) }, 'listening');
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    instances: [...instances],
    base,
    stop: () => (stopping ??= stopAll()),
  };
}

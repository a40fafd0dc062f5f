import { join } from 'node:path';
import { serviceRegistry } from '@sophia/mesh/registry';
import { addressKey, type ServiceModule } from '@sophia/platform';
import { acquireDataDirLock, DATA_DIR_KEY, DATA_DIR_OWNER_KEY, prepareDataDir } from '@sophia/state-store';
import type { ChildService, ListeningLine } from './child-service.ts';
import { compileCacheEnv, warmCompileCache } from './compile-cache.ts';
import { ONE_SERVICE_HEAP_MIB, SINGLE_PROCESS_HEAP_MIB, withHeapLimit } from './heap-limit.ts';
import { mallocEnv } from './malloc-env.ts';
import { firstOpsApiKey } from './ops-api-key.ts';
import { findRepoRoot } from './repo-root.ts';
import { planSimulators, simulatedLambdaKey } from './start-simulators.ts';
import { createSupervisor, type PinnedLines, type RestartPolicy, type SupervisedUnit, type SupervisorEvent } from './supervisor.ts';

/** `SOPHIA_DEPLOYMENT`: every service in one process, or one process per service. */
export type Deployment = 'single-process' | 'multi-process';

/** The deployments `SOPHIA_DEPLOYMENT` accepts. */
export const DEPLOYMENTS: readonly Deployment[] = ['single-process', 'multi-process'];

/** Options for {@link startMesh}. */
export interface StartMeshOptions {
  /**
   * Environment for every process (documented keys in docs/configuration.md). An upstream URL
   * set here (SOPHIA_SERVERLESS_BASE_URL, SOPHIA_GPU_BASE_URLS) replaces the simulator for that
   * role; SOPHIA_<SERVICE>_PORT pins a service's port (free ports otherwise).
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** @default env SOPHIA_DEPLOYMENT, else single-process */
  readonly deployment?: Deployment;
  /** Gateway port; 0 picks a free one. @default SOPHIA_GATEWAY_PORT or 8080 */
  readonly gatewayPort?: number;
  /** MCP server port; 0 picks a free one. @default SOPHIA_MCP_PORT, else 0 when the gateway's port (gatewayPort or SOPHIA_GATEWAY_PORT) is 0, else 8090 */
  readonly mcpPort?: number;
  /** How many simulated vLLM endpoints when SOPHIA_GPU_BASE_URLS is unset. @default 2 */
  readonly gpuSimulators?: number;
  /**
   * Catalog providers to simulate when no serverless upstream is configured, one simulator each,
   * wired as SOPHIA_SERVERLESS_PROVIDERS (prices and model names from the catalog's offers). Unset
   * or empty: one anonymous simulator behind SOPHIA_SERVERLESS_BASE_URL. @default []
   */
  readonly serverlessProviders?: readonly string[];
  /** Extra simulator flags per persona, e.g. ["--ttft-ms", "20"]. */
  readonly simulatorArgs?: { serverless?: readonly string[]; vllm?: readonly string[]; lambda?: readonly string[] };
  /** Receives every log line of every process. @default drop */
  readonly onLog?: (name: string, line: string) => void;
  /**
   * Restart processes that exit unexpectedly (see {@link createSupervisor}); `onGiveUp` hears of a
   * crash loop. Unset: crashes are only reported through `onEvent`.
   */
  readonly supervise?: { readonly policy?: RestartPolicy; readonly onGiveUp: (reason: string) => void };
  /** Crashes, restarts and give-ups of mesh processes and simulators. */
  readonly onEvent?: (event: SupervisorEvent) => void;
  readonly root?: string;
}

/** One service of a running mesh. */
export interface MeshService {
  readonly name: string;
  /** The OS process hosting it (shared by every service in single-process mode). */
  readonly pid: number;
  /** Its listening line: grpc address, metrics URL, http URL for the gateway. */
  readonly ready: ListeningLine;
}

/** A running mesh. */
export interface Mesh {
  readonly deployment: Deployment;
  readonly gatewayUrl: string;
  /** The MCP server's streamable HTTP endpoint (`…/mcp`); it calls the gateway's operator API. */
  readonly mcpUrl: string;
  /** API key to use: the first of SOPHIA_API_KEYS, or the one the gateway generated in local mode. */
  readonly apiKey: string;
  /** A key with an ops scope for the operator API and MCP (undefined when SOPHIA_API_KEYS gives none). */
  readonly opsApiKey?: string;
  /** Every service and simulator by name (current pid after a restart). */
  readonly services: Readonly<Record<string, MeshService>>;
  /** The OS processes (mesh hosts and simulators), current ones after restarts. */
  processes(): readonly ChildService[];
  /** Upstream base URLs in use (simulated or real); `serverless` is the first (cheapest) provider's. */
  readonly upstreams: {
    readonly serverless: string;
    readonly gpu: readonly string[];
    readonly providers: ReadonlyArray<{ readonly name: string; readonly url: string }>;
    /** The simulated Lambda Cloud, when no Lambda key is configured. */
    readonly lambdaCloud?: { readonly url: string; readonly apiKey: string };
  };
  /** Stops every process, gateway first, simulators last. */
  stop(): Promise<void>;
}

/** The port a listening line shows for the service's own port key (gRPC address or HTTP URL). */
function portOf(line: ListeningLine): string {
  if (typeof line['grpc'] === 'string') return line['grpc'].slice(line['grpc'].lastIndexOf(':') + 1);
  return new URL(String(line['http'])).port;
}

/** Where a service is reached: its gRPC address, else the host:port of its HTTP URL (the gateway serves gRPC there too). */
function addressOf(line: ListeningLine): string {
  return typeof line['grpc'] === 'string' ? line['grpc'] : new URL(String(line['http'])).host;
}

/** Port keys of a module for its first start (configured, else free) or a restart (as first bound). */
function portEnv(module: ServiceModule, base: StartMeshOptions['env'], initial: string | undefined, pinned: PinnedLines | undefined): Record<string, string> {
  const metricsKey = module.portKey.replace(/_PORT$/, '_METRICS_PORT');
  const line = pinned?.[module.name];
  if (line) {
    // A local-mode gateway generated its key: the restarted one keeps it, so clients keep working.
    const keepKey: Record<string, string> = typeof line['apiKey'] === 'string' ? { SOPHIA_GATEWAY_LOCAL_API_KEY: line['apiKey'] } : {};
    return { [module.portKey]: portOf(line), [metricsKey]: new URL(String(line['metrics'])).port, ...keepKey };
  }
  return { [module.portKey]: initial ?? base[module.portKey] ?? '0', [metricsKey]: base[metricsKey] ?? '0' };
}

/** `SOPHIA_DEPLOYMENT` checked against the contract names. */
export function parseDeployment(value: string | undefined): Deployment {
  if (value === undefined || value === '') return 'single-process';
  if ((DEPLOYMENTS as readonly string[]).includes(value)) return value as Deployment;
  throw new Error(`SOPHIA_DEPLOYMENT: "${value}" is not one of ${DEPLOYMENTS.join(', ')}`);
}

/**
 * Starts the mesh as real OS processes: simulators for any upstream not configured, then the
 * services of the registry — all in one host process (single-process) or one host process each,
 * dependencies first, wired by the addresses in their listening lines (multi-process). Ports come
 * from SOPHIA_<SERVICE>_PORT when set, free ones otherwise (the gateway: `gatewayPort`, else
 * SOPHIA_GATEWAY_PORT, else 8080).
 */
export async function startMesh(options: StartMeshOptions): Promise<Mesh> {
  const root = options.root ?? findRepoRoot();
  const deployment = options.deployment ?? parseDeployment(options.env['SOPHIA_DEPLOYMENT']);
  // One owner per data directory: this process holds its lock for the whole mesh (restarts included)
  // and tells every child so (SOPHIA_DATA_DIR_OWNER); a second mesh on the directory is refused here.
  const dataDir = prepareDataDir(options.env[DATA_DIR_KEY]);
  const lock = acquireDataDirLock(dataDir);
  const base: Record<string, string | undefined> = { ...mallocEnv(options.env), ...compileCacheEnv(options.env, root), ...options.env, SOPHIA_DEPLOYMENT: deployment, [DATA_DIR_KEY]: dataDir, [DATA_DIR_OWNER_KEY]: String(process.pid) };
  const services: Record<string, MeshService> = {};
  const record = (child: ChildService): void => {
    for (const [name, line] of Object.entries(child.listening)) services[name] = { name, pid: child.pid, ready: line };
  };
  const supervisor = createSupervisor({
    baseEnv: base,
    onLog: options.onLog ?? (() => undefined),
    restart: options.supervise !== undefined,
    ...(options.supervise?.policy ? { policy: options.supervise.policy } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.supervise ? { onGiveUp: options.supervise.onGiveUp } : {}),
    onRestarted: record,
  });
  const gatewayPortAsked = String(options.gatewayPort ?? base['SOPHIA_GATEWAY_PORT'] ?? 8080);
  // The gateway and the MCP server keep their well-known ports unless asked otherwise (the MCP's
  // follows a gateway on a free port); every other service gets a free one unless its key is set.
  const initialPort = (m: ServiceModule): string | undefined => {
    if (m.name === 'gateway') return gatewayPortAsked;
    if (m.name === 'mcp') return String(options.mcpPort ?? base['SOPHIA_MCP_PORT'] ?? (gatewayPortAsked === '0' ? 0 : 8090));
    return undefined;
  };
  const host = join(root, 'apps/mesh/src/main.ts');
  try {
    const sims = planSimulators({
      env: base,
      root,
      ...(options.gpuSimulators !== undefined ? { gpuSimulators: options.gpuSimulators } : {}),
      ...(options.serverlessProviders !== undefined ? { serverlessProviders: options.serverlessProviders } : {}),
      ...(options.simulatorArgs ? { simulatorArgs: options.simulatorArgs } : {}),
    });
    // The compile cache is filled (once) while the simulators start: the mesh's processes need it first.
    const [simChildren] = await Promise.all([Promise.all(sims.map((s) => supervisor.start(s.unit))), warmCompileCache({ root, env: base })]);
    simChildren.forEach(record);
    const urlOf = (role: string): string[] => simChildren.filter((_, i) => sims[i]!.role === role).map((c) => String(c.ready['url']));
    const providers = sims.flatMap((s, i) => (s.role === 'provider' ? [{ name: s.provider!, url: String(simChildren[i]!.ready['url']) }] : []));
    const providersEnv = providers.length > 0 ? providers.map((p) => `${p.name}=${p.url}/v1`).join(',') : base['SOPHIA_SERVERLESS_PROVIDERS'];
    const serverlessUrl = base['SOPHIA_SERVERLESS_BASE_URL'] || providers[0]?.url || urlOf('serverless')[0] || '';
    const configuredGpu = (base['SOPHIA_GPU_BASE_URLS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const gpuUrls = configuredGpu.length > 0 ? configuredGpu : urlOf('gpu');
    const lambdaUrl = urlOf('lambda')[0];
    const lambdaCloud = lambdaUrl === undefined ? undefined : { url: lambdaUrl, apiKey: simulatedLambdaKey() };
    // gpu-inference's fleet uses the simulated cloud; it boots in seconds, so its policy plans with that.
    const fleetEnv: Record<string, string> = lambdaCloud
      ? {
          SOPHIA_LAMBDA_API_URL: lambdaCloud.url,
          SOPHIA_LAMBDA_API_KEY: lambdaCloud.apiKey,
          SOPHIA_GPU_FLEET_POLICY_PATH: base['SOPHIA_GPU_FLEET_POLICY_PATH'] ?? join(root, 'apps/gpu-inference/fleet-policy/simulated-cloud.yaml'),
        }
      : {};
    const upstreamEnv = { ...(providersEnv ? { SOPHIA_SERVERLESS_PROVIDERS: providersEnv } : { SOPHIA_SERVERLESS_BASE_URL: serverlessUrl }), SOPHIA_GPU_BASE_URLS: gpuUrls.join(','), ...fleetEnv };

    if (deployment === 'single-process') {
      const unit: SupervisedUnit = {
        name: 'mesh',
        script: host,
        env: (pinned) => ({
          ...upstreamEnv,
          NODE_OPTIONS: withHeapLimit(base['NODE_OPTIONS'], SINGLE_PROCESS_HEAP_MIB),
          SOPHIA_SERVICES: 'all',
          ...Object.assign({}, ...serviceRegistry.map((m) => portEnv(m, base, initialPort(m), pinned))),
        }),
        expect: serviceRegistry.map((m) => m.name),
      };
      record(await supervisor.start(unit));
    } else {
      // Waves: every service whose dependencies are up starts together.
      const pending = [...serviceRegistry];
      while (pending.length > 0) {
        const wave = pending.filter((m) => Object.keys(m.dependsOn).every((d) => services[d] !== undefined || !pending.some((p) => p.name === d)));
        if (wave.length === 0) throw new Error(`service registry: cannot order ${pending.map((m) => m.name).join(', ')}`);
        const started = await Promise.all(
          wave.map((m) => {
            const addresses = Object.fromEntries(Object.keys(m.dependsOn).flatMap((d) => (services[d] ? [[addressKey(d), addressOf(services[d].ready)]] : [])));
            const nodeOptions = withHeapLimit(base['NODE_OPTIONS'], ONE_SERVICE_HEAP_MIB);
            return supervisor.start({ name: m.name, script: host, env: (pinned) => ({ ...upstreamEnv, ...addresses, NODE_OPTIONS: nodeOptions, SOPHIA_SERVICES: m.name, ...portEnv(m, base, initialPort(m), pinned) }), expect: [m.name] });
          }),
        );
        started.forEach(record);
        for (const m of wave) pending.splice(pending.indexOf(m), 1);
      }
    }
    const gateway = services['gateway']!.ready;
    const configuredKey = (base['SOPHIA_API_KEYS'] ?? '').split(',')[0]?.split(':')[0];
    // The key shown with operator snippets must have an ops scope; local mode's generated key has all.
    const opsApiKey = base['SOPHIA_API_KEYS'] ? firstOpsApiKey(base['SOPHIA_API_KEYS']) : String(gateway['apiKey'] ?? '');
    return {
      deployment,
      gatewayUrl: String(gateway['http']),
      mcpUrl: String(services['mcp']!.ready['http']),
      apiKey: configuredKey || String(gateway['apiKey'] ?? ''),
      ...(opsApiKey ? { opsApiKey } : {}),
      services,
      processes: () => supervisor.children(),
      upstreams: { serverless: serverlessUrl, gpu: gpuUrls, providers, ...(lambdaCloud ? { lambdaCloud } : {}) },
      stop: async () => {
        await supervisor.stopAll();
        lock.release();
      },
    };
  } catch (err) {
    await supervisor.stopAll();
    lock.release();
    throw err;
  }
}

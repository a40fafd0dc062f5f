import { join } from 'node:path';
import { loadCatalog } from '@sophia/price-catalog';
import { acquireDataDirLock, DATA_DIR_OWNER_KEY, prepareDataDir } from '@sophia/state-store';
import { startChild, type ChildService } from './child-service.ts';
import { findRepoRoot } from './repo-root.ts';
import { SIMULATED_PROVIDER_TTFT_MS } from './simulated-providers.ts';

/** Options for {@link startMesh}. */
export interface StartMeshOptions {
  /**
   * Environment for every process (documented keys in docs/configuration.md). An upstream URL
   * set here (SOPHIA_SERVERLESS_BASE_URL, SOPHIA_GPU_BASE_URLS) replaces the simulator for that role.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Gateway port; 0 picks a free one. @default SOPHIA_GATEWAY_PORT or 8080 */
  readonly gatewayPort?: number;
  /** MCP server port; 0 picks a free one. @default SOPHIA_MCP_PORT, else 0 when gatewayPort is 0, else 8090 */
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
  readonly root?: string;
}

/** A running mesh. */
export interface Mesh {
  readonly gatewayUrl: string;
  /** The MCP server's streamable HTTP endpoint (`…/mcp`); it calls the gateway's operator API. */
  readonly mcpUrl: string;
  /** API key to use: the first of SOPHIA_API_KEYS, or the one the gateway generated in local mode. */
  readonly apiKey: string;
  /** Every process by name, with its listening line (grpc address, metrics URL, …). */
  readonly services: Readonly<Record<string, ChildService>>;
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

function grpcOf(c: ChildService): string {
  const addr = c.ready['grpc'];
  if (typeof addr !== 'string') throw new Error(`${c.name} announced no grpc address`);
  return addr;
}

/**
 * Starts every mesh process as a real OS process on ephemeral ports (the gateway on its
 * configured port), wiring addresses from each process's listening line into the next.
 * Simulators stand in for any upstream whose URL is not configured.
 */
export async function startMesh(options: StartMeshOptions): Promise<Mesh> {
  const root = options.root ?? findRepoRoot();
  const onLog = options.onLog ?? (() => undefined);
  const started: ChildService[] = [];
  // This process owns the data directory for the whole mesh (one owner per directory; a second mesh
  // on it is refused naming this pid); children share it through SOPHIA_DATA_DIR_OWNER.
  const lock = acquireDataDirLock(prepareDataDir(options.env['SOPHIA_DATA_DIR']));
  const base: Record<string, string | undefined> = { ...options.env, [DATA_DIR_OWNER_KEY]: String(process.pid) };
  const run = async (name: string, script: string, env: Record<string, string | undefined>, args: readonly string[] = []): Promise<ChildService> => {
    const child = await startChild({ name, script: join(root, script), args, env: { ...base, ...env }, onLog });
    started.push(child);
    return child;
  };
  const stopAll = async (): Promise<void> => {
    for (const child of started.splice(0).reverse()) await child.stop();
    lock.release();
  };
  try {
    const sim = 'tools/upstream-sim/src/main.ts';
    let serverlessUrl = base['SOPHIA_SERVERLESS_BASE_URL'];
    let gpuUrls = (base['SOPHIA_GPU_BASE_URLS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const sims: Array<Promise<ChildService>> = [];
    const simulatedProviders = !serverlessUrl && !base['SOPHIA_SERVERLESS_PROVIDERS'] ? (options.serverlessProviders ?? []).map((name) => ({ name, ttftMs: SIMULATED_PROVIDER_TTFT_MS[name] ?? 30 })) : [];
    for (const p of simulatedProviders) sims.push(run(`sim-${p.name}`, sim, {}, ['--persona', 'serverless', '--port', '0', '--ttft-ms', String(p.ttftMs), ...(options.simulatorArgs?.serverless ?? [])]));
    if (!serverlessUrl && simulatedProviders.length === 0 && !base['SOPHIA_SERVERLESS_PROVIDERS']) sims.push(run('sim-serverless', sim, {}, ['--persona', 'serverless', '--port', '0', ...(options.simulatorArgs?.serverless ?? [])]));
    if (gpuUrls.length === 0) {
      // A real vLLM lists the model it serves; the simulated ones list the catalog's GPU models.
      const catalog = loadCatalog(base['SOPHIA_CATALOG_PATH']);
      const served = catalog.models.flatMap((m) => (m.gpu ? [m.gpu.servedModel] : []));
      for (let i = 0; i < (options.gpuSimulators ?? 2); i++) {
        sims.push(run(`sim-vllm-${i + 1}`, sim, {}, ['--persona', 'vllm', '--port', '0', '--models', served.join(','), ...(options.simulatorArgs?.vllm ?? [])]));
      }
    }
    // No Lambda Cloud key: the simulated Lambda Cloud stands in, so the GPU fleet can launch instances
    // (they boot as vLLM simulators). Only gpu-inference is given its URL and key.
    let fleetEnv: Record<string, string> = {};
    let lambdaCloud: { url: string; apiKey: string } | undefined;
    if (!base['SOPHIA_LAMBDA_API_KEY'] && !base['SOPHIA_LAMBDA_API_KEY_FILE']) {
      const key = `sim-${process.pid}`;
      const cloud = await run('lambda-cloud-sim', 'tools/lambda-cloud-sim/src/main.ts', {}, ['--port', '0', '--api-key', key, ...(options.simulatorArgs?.lambda ?? [])]);
      lambdaCloud = { url: String(cloud.ready['url']), apiKey: key };
      fleetEnv = {
        SOPHIA_LAMBDA_API_URL: lambdaCloud.url,
        SOPHIA_LAMBDA_API_KEY: key,
        // The simulated cloud boots in seconds: its policy plans with that boot time and cool-down.
        SOPHIA_GPU_FLEET_POLICY_PATH: base['SOPHIA_GPU_FLEET_POLICY_PATH'] ?? join(root, 'apps/gpu-inference/fleet-policy/simulated-cloud.yaml'),
      };
    }
    const simChildren = await Promise.all(sims);
    const providers = simulatedProviders.map((p) => ({ name: p.name, url: String(simChildren.find((c) => c.name === `sim-${p.name}`)!.ready['url']) }));
    const providersEnv = providers.length > 0 ? providers.map((p) => `${p.name}=${p.url}/v1`).join(',') : base['SOPHIA_SERVERLESS_PROVIDERS'];
    if (!serverlessUrl) serverlessUrl = providers[0]?.url ?? String(simChildren.find((c) => c.name === 'sim-serverless')?.ready['url'] ?? '');
    if (gpuUrls.length === 0) gpuUrls = simChildren.filter((c) => c.name.startsWith('sim-vllm')).map((c) => String(c.ready['url']));

    const [classifier, ledger, serverless, gpu] = await Promise.all([
      run('classifier', 'apps/classifier/src/main.ts', { SOPHIA_CLASSIFIER_PORT: '0' }),
      run('ledger', 'apps/ledger/src/main.ts', { SOPHIA_LEDGER_PORT: '0' }),
      run('serverless-inference', 'apps/serverless-inference/src/main.ts', {
        SOPHIA_SERVERLESS_INFERENCE_PORT: '0',
        ...(providersEnv ? { SOPHIA_SERVERLESS_PROVIDERS: providersEnv } : { SOPHIA_SERVERLESS_BASE_URL: serverlessUrl }),
      }),
      run('gpu-inference', 'apps/gpu-inference/src/main.ts', { SOPHIA_GPU_INFERENCE_PORT: '0', SOPHIA_GPU_BASE_URLS: gpuUrls.join(','), ...fleetEnv }),
    ]);
    const router = await run('router', 'apps/router/src/main.ts', {
      SOPHIA_ROUTER_PORT: '0',
      SOPHIA_CLASSIFIER_ADDR: grpcOf(classifier),
      SOPHIA_LEDGER_ADDR: grpcOf(ledger),
      SOPHIA_SERVERLESS_INFERENCE_ADDR: grpcOf(serverless),
      SOPHIA_GPU_INFERENCE_ADDR: grpcOf(gpu),
    });
    // The SQL service answers demo/usage questions from its semantic models; the router is its LLM path.
    const sql = await run('sql', 'apps/sql/src/main.ts', { SOPHIA_SQL_PORT: '0', SOPHIA_ROUTER_ADDR: grpcOf(router), SOPHIA_LEDGER_ADDR: grpcOf(ledger) });
    const gateway = await run('gateway', 'apps/gateway/src/main.ts', {
      SOPHIA_GATEWAY_PORT: String(options.gatewayPort ?? base['SOPHIA_GATEWAY_PORT'] ?? 8080),
      SOPHIA_ROUTER_ADDR: grpcOf(router),
      SOPHIA_LEDGER_ADDR: grpcOf(ledger),
      SOPHIA_GPU_INFERENCE_ADDR: grpcOf(gpu),
      SOPHIA_SQL_ADDR: grpcOf(sql),
    });
    const gatewayUrl = String(gateway.ready['http']);
    const mcp = await run('mcp', 'apps/mcp/src/main.ts', {
      SOPHIA_MCP_PORT: String(options.mcpPort ?? base['SOPHIA_MCP_PORT'] ?? (options.gatewayPort === 0 ? 0 : 8090)),
      SOPHIA_GATEWAY_URL: gatewayUrl,
    });
    const mcpUrl = String(mcp.ready['http']);
    const configuredKey = (base['SOPHIA_API_KEYS'] ?? '').split(',')[0]?.split(':')[0];
    const apiKey = configuredKey || String(gateway.ready['apiKey'] ?? '');
    const services = Object.fromEntries(started.map((c) => [c.name, c]));
    return { gatewayUrl, mcpUrl, apiKey, services, upstreams: { serverless: serverlessUrl, gpu: gpuUrls, providers, ...(lambdaCloud ? { lambdaCloud } : {}) }, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

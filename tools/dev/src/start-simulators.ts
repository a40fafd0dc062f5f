import { join } from 'node:path';
import { loadCatalog } from '@sophia/price-catalog';
import { SIMULATED_PROVIDER_TTFT_MS } from './simulated-providers.ts';
import type { SupervisedUnit } from './supervisor.ts';

/** Options for {@link planSimulators}. */
export interface SimulatorPlanOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly root: string;
  /** How many simulated vLLM endpoints when SOPHIA_GPU_BASE_URLS is unset. @default 2 */
  readonly gpuSimulators?: number;
  /**
   * Catalog providers to simulate when no serverless upstream is configured, one simulator each
   * (SOPHIA_SERVERLESS_PROVIDERS). Unset or empty: one anonymous simulator (SOPHIA_SERVERLESS_BASE_URL).
   */
  readonly serverlessProviders?: readonly string[];
  /** Extra simulator flags per persona, e.g. ["--ttft-ms", "20"]. */
  readonly simulatorArgs?: { serverless?: readonly string[]; vllm?: readonly string[]; lambda?: readonly string[] };
}

/** One simulator to start: the unit that runs it and the env key its URL fills. */
export interface SimulatorPlan {
  readonly unit: SupervisedUnit;
  /** The upstream role it stands in for: the one serverless upstream, a named serverless provider, a vLLM. */
  readonly role: 'serverless' | 'provider' | 'gpu' | 'lambda';
  /** The catalog provider it plays (role "provider"). */
  readonly provider?: string;
}

/**
 * The upstream simulators `npm start` runs for every upstream whose URL is not configured
 * (SOPHIA_SERVERLESS_BASE_URL / SOPHIA_SERVERLESS_PROVIDERS, SOPHIA_GPU_BASE_URLS): one serverless
 * upstream or two named providers, and N vLLM endpoints
 * serving the catalog's GPU models. Each restarts on the port it first bound, so the services
 * pointing at it keep their URL.
 */
export function planSimulators(options: SimulatorPlanOptions): SimulatorPlan[] {
  const script = join(options.root, 'tools/upstream-sim/src/main.ts');
  const unit = (name: string, args: readonly string[], entry = script): SupervisedUnit => ({
    name,
    script: entry,
    env: {},
    args: (pinned) => [...args, '--port', pinned?.[name] ? new URL(String(pinned[name]['url'])).port : '0'],
    expect: [],
  });
  const plans: SimulatorPlan[] = [];
  const serverlessConfigured = Boolean(options.env['SOPHIA_SERVERLESS_BASE_URL'] || options.env['SOPHIA_SERVERLESS_PROVIDERS']);
  if (!serverlessConfigured && (options.serverlessProviders ?? []).length > 0) {
    for (const name of options.serverlessProviders ?? []) {
      const ttftMs = SIMULATED_PROVIDER_TTFT_MS[name] ?? 30;
      plans.push({ role: 'provider', provider: name, unit: unit(`sim-${name}`, ['--persona', 'serverless', '--ttft-ms', String(ttftMs), ...(options.simulatorArgs?.serverless ?? [])]) });
    }
  } else if (!serverlessConfigured) {
    plans.push({ role: 'serverless', unit: unit('sim-serverless', ['--persona', 'serverless', ...(options.simulatorArgs?.serverless ?? [])]) });
  }
  if (!(options.env['SOPHIA_GPU_BASE_URLS'] ?? '').trim()) {
    // A real vLLM lists the model it serves; the simulated ones list the catalog's GPU models.
    const served = loadCatalog(options.env['SOPHIA_CATALOG_PATH']).models.flatMap((m) => (m.gpu ? [m.gpu.servedModel] : []));
    for (let i = 0; i < (options.gpuSimulators ?? 2); i++) {
      plans.push({ role: 'gpu', unit: unit(`sim-vllm-${i + 1}`, ['--persona', 'vllm', '--models', served.join(','), ...(options.simulatorArgs?.vllm ?? [])]) });
    }
  }
  // No Lambda Cloud key: the simulated Lambda Cloud stands in, so the GPU fleet can launch instances
  // (they boot as vLLM simulators).
  if (!options.env['SOPHIA_LAMBDA_API_KEY'] && !options.env['SOPHIA_LAMBDA_API_KEY_FILE']) {
    plans.push({ role: 'lambda', unit: unit('lambda-cloud-sim', ['--api-key', simulatedLambdaKey(), ...(options.simulatorArgs?.lambda ?? [])], join(options.root, 'tools/lambda-cloud-sim/src/main.ts')) });
  }
  return plans;
}

/** The API key the simulated Lambda Cloud accepts (and gpu-inference is given) under this orchestrator. */
export function simulatedLambdaKey(): string {
  return `sim-${process.pid}`;
}

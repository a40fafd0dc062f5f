import { scratchMeshEnv, startScratchMesh, type Mesh } from '@sophia/dev';

/** The API key the suites use (tenant "acme"). */
export const API_KEY = 'compat-key-acme';
/** A browser origin the mesh allows (CORS checks). */
export const BROWSER_ORIGIN = 'http://app.example.test';
/** Serverless providers simulated: the catalog's offers decide which features each model has. */
export const PROVIDERS = ['deepinfra', 'fireworks', 'together'] as const;

/** Log lines of the mesh, printed only when it fails to start. */
const logs: string[] = [];

/**
 * A real mesh for one suite (single-process host, simulated providers and one vLLM simulator, a
 * scratch data directory removed by `stop`), with small simulator latencies so the suite is fast.
 */
export function startCompatMesh(): Promise<Mesh> {
  return startScratchMesh({
    dataDirPrefix: 'compat-e2e-data-',
    logs,
    keepLogLines: 300,
    env: scratchMeshEnv(`${API_KEY}:acme`, { SOPHIA_CORS_ORIGINS: BROWSER_ORIGIN }),
    deployment: 'single-process',
    gatewayPort: 0,
    gpuSimulators: 1,
    serverlessProviders: PROVIDERS,
    simulatorArgs: { serverless: ['--ttft-ms', '2', '--inter-token-ms', '0'], vllm: ['--ttft-ms', '2', '--inter-token-ms', '0'] },
  });
}

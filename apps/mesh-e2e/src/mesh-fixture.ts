import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDeployment, scratchMeshEnv, startScratchMesh, type Mesh } from '@sophia/dev';

/** Log lines of the mesh, printed only when a suite fails to start. */
export const meshLogs: string[] = [];

/** The hosting mode every suite runs in: SOPHIA_DEPLOYMENT (`npm test` runs the suites in both). */
export const deployment = parseDeployment(process.env['SOPHIA_DEPLOYMENT']);

/** A fresh SOPHIA_DATA_DIR for one mesh (one owner per directory), removed with it. */
export function scratchDataDir(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-e2e-data-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Simulated serverless providers and extra serverless-simulator flags of a test mesh ({@link startTestMesh}). */
export interface TestMeshOptions {
  readonly serverlessProviders?: readonly string[];
  readonly serverlessArgs?: readonly string[];
}

/**
 * Starts a fresh mesh for one suite in the {@link deployment} mode: real processes, ephemeral ports (gateway included), one API
 * key per tenant, simulators with small latencies so the suite stays fast, and its own data directory
 * (removed by `stop`) unless `extraEnv` names one. `serverlessProviders` simulates those catalog providers
 * (one simulator each) instead of one anonymous serverless simulator; `serverlessArgs` are extra flags of the
 * serverless simulator(s).
 */
export function startTestMesh(extraEnv: Record<string, string> = {}, options: TestMeshOptions = {}): Promise<Mesh> {
  return startScratchMesh({
    dataDirPrefix: 'mesh-e2e-data-',
    logs: meshLogs,
    env: scratchMeshEnv('test-key-acme:acme,test-key-globex:globex', extraEnv),
    deployment,
    gatewayPort: 0,
    gpuSimulators: 2,
    ...(options.serverlessProviders ? { serverlessProviders: options.serverlessProviders } : {}),
    simulatorArgs: {
      serverless: ['--ttft-ms', '5', '--inter-token-ms', '1', ...(options.serverlessArgs ?? [])],
      vllm: ['--ttft-ms', '5', '--inter-token-ms', '1'],
    },
  });
}

/**
 * The calling suite's mesh ({@link startTestMesh}): started before its tests (jest `beforeAll`, up to
 * 90 s) and stopped after them; the function returned gives the running mesh inside a test.
 */
export function meshForSuite(extraEnv: Record<string, string> = {}, options: TestMeshOptions = {}): () => Mesh {
  let mesh: Mesh | undefined;
  beforeAll(async () => {
    mesh = await startTestMesh(extraEnv, options);
  }, 90_000);
  afterAll(async () => {
    await mesh?.stop();
  });
  return () => {
    if (!mesh) throw new Error('the test mesh is not running (it failed to start: see its log above)');
    return mesh;
  };
}

/** Sets (or clears, with undefined) a simulator's process-level fault through its control API. */
export async function setSimulatorFault(url: string, fault: Record<string, unknown> | undefined): Promise<void> {
  const res = await fetch(`${url}/sim/fault`, {
    method: fault ? 'POST' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: fault ? JSON.stringify(fault) : undefined,
  });
  if (!res.ok) throw new Error(`setting fault on ${url} failed: ${res.status} ${await res.text()}`);
}

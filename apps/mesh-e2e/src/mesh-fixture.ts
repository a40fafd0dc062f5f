import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDeployment, startMesh, type Mesh } from '@sophia/dev';

/** Log lines of the mesh, printed only when a suite fails to start. */
export const meshLogs: string[] = [];

/** The hosting mode every suite runs in: SOPHIA_DEPLOYMENT (`npm test` runs the suites in both). */
export const deployment = parseDeployment(process.env['SOPHIA_DEPLOYMENT']);

/** A fresh SOPHIA_DATA_DIR for one mesh (one owner per directory), removed with it. */
export function scratchDataDir(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-e2e-data-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts a fresh mesh for one suite in the {@link deployment} mode: real processes, ephemeral ports (gateway included), one API
 * key per tenant, simulators with small latencies so the suite stays fast, and its own data directory
 * (removed by `stop`) unless `extraEnv` names one. `serverlessProviders` simulates those catalog providers
 * (one simulator each) instead of one anonymous serverless simulator; `serverlessArgs` are extra flags of the
 * serverless simulator(s).
 */
export async function startTestMesh(
  extraEnv: Record<string, string> = {},
  options: { serverlessProviders?: readonly string[]; serverlessArgs?: readonly string[] } = {},
): Promise<Mesh> {
  const dataDir = extraEnv['SOPHIA_DATA_DIR'] === undefined ? mkdtempSync(join(tmpdir(), 'mesh-e2e-data-')) : undefined;
  const removeDataDir = (): void => {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const mesh = await startMesh({
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        SOPHIA_LOG_LEVEL: 'warn',
        SOPHIA_API_KEYS: 'test-key-acme:acme,test-key-globex:globex',
        ...(dataDir === undefined ? {} : { SOPHIA_DATA_DIR: dataDir }),
        ...extraEnv,
      },
      deployment,
      gatewayPort: 0,
      gpuSimulators: 2,
      ...(options.serverlessProviders ? { serverlessProviders: options.serverlessProviders } : {}),
      simulatorArgs: {
        serverless: ['--ttft-ms', '5', '--inter-token-ms', '1', ...(options.serverlessArgs ?? [])],
        vllm: ['--ttft-ms', '5', '--inter-token-ms', '1'],
      },
      onLog: (name, line) => {
        meshLogs.push(`${name}| ${line}`);
        if (meshLogs.length > 500) meshLogs.shift();
      },
    });
    return {
      ...mesh,
      stop: async () => {
        await mesh.stop();
        removeDataDir();
      },
    };
  } catch (err) {
    removeDataDir();
    process.stderr.write(meshLogs.join('\n'));
    throw err;
  }
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

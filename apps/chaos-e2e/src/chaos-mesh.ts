import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerService } from '@sophia/contracts/ledger';
import { RouterService } from '@sophia/contracts/router';
import { findRepoRoot, parseDeployment, startMesh, type Mesh, type SupervisorEvent } from '@sophia/dev';
import { createServiceClient, setMeshCredentials } from '@sophia/platform';

/** The hosting mode of this run (the suite runs once per mode: package.json). */
export const deployment = parseDeployment(process.env['SOPHIA_DEPLOYMENT']);

/**
 * This run's secrets: fresh random values, so the log scan (secret-scan.ts) finds them only if
 * the mesh leaked them. `apiKey` is a chat key, `opsKey` has every scope, `providerKey` is the
 * serverless provider's API key the mesh sends upstream.
 */
export const SECRETS = {
  meshToken: `mesh-${randomBytes(24).toString('hex')}`,
  adminToken: `admin-${randomBytes(24).toString('hex')}`,
  apiKey: `sk-chaos-${randomBytes(16).toString('hex')}`,
  opsKey: `sk-chaos-ops-${randomBytes(16).toString('hex')}`,
  providerKey: `sk-provider-${randomBytes(16).toString('hex')}`,
} as const;

/** A mesh under chaos: supervised like `npm start`, every log line and supervisor event kept. */
export interface ChaosMesh {
  readonly mesh: Mesh;
  readonly dataDir: string;
  /** Every log line of every process, "name| line". */
  readonly logs: string[];
  readonly events: SupervisorEvent[];
  /** Set when the supervisor gave up (a crash loop). */
  gaveUp(): string;
  ledger(): ReturnType<typeof createServiceClient<typeof LedgerService>>;
  router(): ReturnType<typeof createServiceClient<typeof RouterService>>;
  /** Stops every process (graceful: the ledger drains its log into the warehouse); keeps the data directory. Safe twice. */
  stop(): Promise<void>;
  /** Stops and removes the data directory it created. */
  dispose(): Promise<void>;
}

/** Options for {@link startChaosMesh}. */
export interface ChaosMeshOptions {
  /** Extra env (SOPHIA_REDIS_URL, timeouts…). */
  readonly env?: Readonly<Record<string, string>>;
  /** Reuse a data directory (kept by stop()); default a fresh one, removed by stop(). */
  readonly dataDir?: string;
  /** @default warn */
  readonly logLevel?: string;
  readonly onEvent?: (event: SupervisorEvent) => void;
}

/**
 * Starts the mesh as `npm start` does — real processes in the run's mode, every one supervised
 * (restarted on the ports it first bound) — with mesh authentication on (SOPHIA_MESH_TOKEN and the
 * admin token), two API keys and a provider key, simulators with small latencies.
 */
export async function startChaosMesh(options: ChaosMeshOptions = {}): Promise<ChaosMesh> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'chaos-e2e-data-'));
  const logs: string[] = [];
  const events: SupervisorEvent[] = [];
  let gaveUp = '';
  setMeshCredentials({ token: SECRETS.meshToken, adminToken: SECRETS.adminToken });
  try {
    const mesh = await startMesh({
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        SOPHIA_LOG_LEVEL: options.logLevel ?? 'warn',
        SOPHIA_API_KEYS: `${SECRETS.apiKey}:chaos,${SECRETS.opsKey}:operator:chat+ops:read+ops:write+admin`,
        SOPHIA_DATA_DIR: dataDir,
        SOPHIA_MESH_TOKEN: SECRETS.meshToken,
        SOPHIA_MESH_ADMIN_TOKEN: SECRETS.adminToken,
        SOPHIA_SERVERLESS_API_KEY: SECRETS.providerKey,
        ...options.env,
      },
      deployment,
      gatewayPort: 0,
      gpuSimulators: 1,
      simulatorArgs: { serverless: ['--ttft-ms', '5', '--inter-token-ms', '1'], vllm: ['--ttft-ms', '5', '--inter-token-ms', '1'] },
      onLog: (name, line) => void logs.push(`${name}| ${line}`),
      onEvent: (event) => {
        events.push(event);
        options.onEvent?.(event);
      },
      supervise: { onGiveUp: (reason) => (gaveUp = reason) },
    });
    const address = (name: string): string => String(mesh.services[name]!.ready['grpc']);
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => (stopping ??= mesh.stop());
    return {
      mesh,
      dataDir,
      logs,
      events,
      gaveUp: () => gaveUp,
      ledger: () => createServiceClient(LedgerService, address('ledger')),
      router: () => createServiceClient(RouterService, address('router')),
      stop,
      dispose: async () => {
        await stop();
        if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    process.stderr.write(logs.slice(-200).join('\n'));
    throw err;
  }
}

/** Where a spec saves its scorecard: reports/chaos-<suite>-<mode>.json at the repo root. */
export function reportPath(suite: string): string {
  return join(findRepoRoot(), 'reports', `chaos-${suite}-${deployment}.json`);
}

/** Resolves once `probe` returns a value (polled every 50 ms). Callers bound it with the test timeout. */
export async function until<T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

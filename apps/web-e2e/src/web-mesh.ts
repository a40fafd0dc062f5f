import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot, scratchMeshEnv, startScratchMesh, type Mesh } from '@sophia/dev';
import { ensureWebBuild } from '@sophia/web-build';

/** API keys of the browser suite, by what they may do (chat only; chat and the operator scopes) — and a chat key of a second tenant with no budget. */
export const KEYS = { chat: 'web-chat-key-acme', ops: 'web-ops-key-acme', beta: 'web-chat-key-beta' } as const;

/** Log lines of the mesh, printed when a suite fails to start. */
export const meshLogs: string[] = [];

/** Where screenshots and measured figures go (gitignored; CI keeps them as artifacts). */
export function reportsDir(): string {
  const dir = join(findRepoRoot(), 'reports', 'web');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The web app built from the current sources and the whole mesh as real processes on ephemeral
 * ports (state in a temporary data dir), serving it; simulators answer with per-request timing set by `[[sim:…]]` markers.
 */
export async function startWebMesh(): Promise<Mesh> {
  await ensureWebBuild({ root: findRepoRoot() });
  // The mesh's durable state lives in a folder of its own, removed when the mesh stops.
  return startScratchMesh({
    dataDirPrefix: 'sophia-web-e2e-',
    logs: meshLogs,
    env: scratchMeshEnv(`${KEYS.chat}:acme,${KEYS.ops}:acme:chat+ops:read+ops:write,${KEYS.beta}:beta`),
    gatewayPort: 0,
    gpuSimulators: 1,
    simulatorArgs: { serverless: ['--ttft-ms', '5', '--inter-token-ms', '2'], vllm: ['--ttft-ms', '5', '--inter-token-ms', '2'] },
  });
}

/** Merges figures measured by a suite into reports/web/measurements.json under `suite`. */
export function recordMeasurements(suite: string, figures: Record<string, unknown>): void {
  const file = join(reportsDir(), 'measurements.json');
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all[suite] = { ...figures, measuredAt: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

/** Chat-completion requests the simulators are still serving, and how many ended before completing. */
export async function upstreamStats(mesh: Mesh): Promise<{ inFlight: number; incomplete: number; requests: number }> {
  const urls = [mesh.upstreams.serverless, ...mesh.upstreams.gpu];
  const stats = await Promise.all(urls.map(async (url) => (await (await fetch(`${url}/sim/stats`)).json()) as { inFlight: number; requests: number; byStatus: Record<string, number> }));
  return {
    inFlight: stats.reduce((n, s) => n + s.inFlight, 0),
    incomplete: stats.reduce((n, s) => n + (s.byStatus['incomplete'] ?? 0), 0),
    requests: stats.reduce((n, s) => n + s.requests, 0),
  };
}

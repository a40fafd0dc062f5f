import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMesh, type Mesh, type StartMeshOptions } from './start-mesh.ts';

/** Options for {@link startScratchMesh}: startMesh's, with where its data and logs go. */
export interface ScratchMeshOptions extends StartMeshOptions {
  /** Prefix of the temporary SOPHIA_DATA_DIR made for this mesh, unless `env` names one. */
  readonly dataDirPrefix: string;
  /** Keeps the mesh's last log lines (the caller may print them when a test fails); written to stderr if it fails to start. */
  readonly logs?: string[];
  /** How many lines `logs` keeps. @default 500 */
  readonly keepLogLines?: number;
}

/**
 * The environment a test suite's mesh starts from: this process's PATH and HOME (nothing else of the
 * caller's environment leaks into the mesh), warn-level logs, the suite's API keys
 * (`key:tenant[:scopes]`, comma-separated), then `extra` over them.
 */
export function scratchMeshEnv(apiKeys: string, extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string | undefined> {
  return { PATH: process.env['PATH'], HOME: process.env['HOME'], SOPHIA_LOG_LEVEL: 'warn', SOPHIA_API_KEYS: apiKeys, ...extra };
}

/**
 * A mesh for one test suite that leaves nothing behind: its state in a temporary data directory
 * (unless the caller names one), removed when `stop` has stopped the processes, or at once when the
 * mesh fails to start — then its last log lines go to stderr, since the failure is in them.
 */
export async function startScratchMesh(options: ScratchMeshOptions): Promise<Mesh> {
  const { dataDirPrefix, logs = [], keepLogLines = 500, ...meshOptions } = options;
  const dataDir = meshOptions.env['SOPHIA_DATA_DIR'] === undefined ? mkdtempSync(join(tmpdir(), dataDirPrefix)) : undefined;
  const removeDataDir = (): void => {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const mesh = await startMesh({
      ...meshOptions,
      env: { ...(dataDir === undefined ? {} : { SOPHIA_DATA_DIR: dataDir }), ...meshOptions.env },
      onLog: (name, line) => {
        logs.push(`${name}| ${line}`);
        if (logs.length > keepLogLines) logs.shift();
        meshOptions.onLog?.(name, line);
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
    process.stderr.write(logs.join('\n'));
    throw err;
  }
}

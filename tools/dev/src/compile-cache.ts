// Node runs our TypeScript by stripping its types with amaro, a WebAssembly build of swc that it loads
// on the first .ts file and keeps for the life of the process: ≈ 17 MiB of RSS in every mesh process
// (an empty .ts script: 58 MiB, the same as .js: 41). Node's compile cache (NODE_COMPILE_CACHE) stores
// the stripped source with the compiled code, so a process whose every file is in the cache never loads
// amaro: loading every service's code measured 223 → 202 MiB (tools/bench/src/start-rss.ts). The cache
// is generated output, kept under node_modules/.cache (gone with `npm ci`, rebuilt by the next start);
// an entry is checked against the file's contents, so an edited file is stripped again, never stale.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The env var Node reads for its on-disk compile cache directory. */
export const COMPILE_CACHE_KEY = 'NODE_COMPILE_CACHE';
/** Set (to anything) by an operator who wants no compile cache; Node honours it too. */
export const DISABLE_COMPILE_CACHE_KEY = 'NODE_DISABLE_COMPILE_CACHE';
/** The cache's place in the checkout, relative to the repository root. */
export const COMPILE_CACHE_DIR = 'node_modules/.cache/sophia/node-compile-cache';
/** Written after a full warm-up, holding the Node version that made it (the cache is per Node version). */
const WARM_STAMP = 'warmed-by';
/** What the stamp holds: the Node version, and what was warmed (the host entry with the services' code). */
const warmedBy = (): string => `${process.version} mesh-host`;

/**
 * The compile-cache setting every mesh process gets: the checkout's cache directory, unless the
 * environment already names one or disables it (the operator's choice wins).
 */
export function compileCacheEnv(env: Readonly<Record<string, string | undefined>>, root: string): Record<string, string> {
  if (env[COMPILE_CACHE_KEY] !== undefined || env[DISABLE_COMPILE_CACHE_KEY] !== undefined) return {};
  return { [COMPILE_CACHE_KEY]: join(root, COMPILE_CACHE_DIR) };
}

/** Options for {@link warmCompileCache}. */
export interface WarmCompileCacheOptions {
  /** Repository root (for the warm-up script). */
  readonly root: string;
  /** The environment mesh processes get; nothing happens unless it carries NODE_COMPILE_CACHE. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Fills the compile cache with the mesh host's entry and every registered service's code before the
 * first mesh process starts, so that even the first `npm start` after `npm ci` runs without amaro:
 * `node apps/mesh/src/main.ts --load-only` loads them (nothing starts) and flushes the cache. Done once
 * per cache directory and Node version (a stamp file); afterwards processes keep the cache current
 * themselves when they exit. Resolves false when there was nothing to do; a failed warm-up rejects with
 * the child's stderr.
 */
export async function warmCompileCache(options: WarmCompileCacheOptions): Promise<boolean> {
  const dir = options.env[COMPILE_CACHE_KEY];
  if (dir === undefined || dir === '' || options.env[DISABLE_COMPILE_CACHE_KEY] !== undefined) return false;
  const stamp = join(dir, WARM_STAMP);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === warmedBy()) return false;
  mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, [join(options.root, 'apps/mesh/src/main.ts'), '--load-only'], {
    env: { ...options.env, [COMPILE_CACHE_KEY]: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new Error(`warming the compile cache in ${dir} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`);
  writeFileSync(stamp, warmedBy());
  return true;
}

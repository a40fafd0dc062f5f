import { spawn } from 'node:child_process';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { webSourceHash, WEB_SOURCES } from './web-source-hash.ts';

/** Builds the app into `outDir`; rejects with the build's own error output. */
export type WebBuilder = (appDir: string, outDir: string) => Promise<void>;

/** Options for {@link ensureWebBuild}. */
export interface EnsureWebBuildOptions {
  /** The repository root. */
  readonly root: string;
  /** Progress lines ("building the web app…"). @default drop */
  readonly log?: (line: string) => void;
  /** @default vite build in a child process */
  readonly builder?: WebBuilder;
  /** Files and folders the build depends on. @default WEB_SOURCES */
  readonly sources?: readonly string[];
}

/** The build the gateway serves. */
export interface WebBuild {
  /** apps/web/dist */
  readonly dir: string;
  /** True when this call built it; false when the existing build matched the sources. */
  readonly built: boolean;
  readonly sourceHash: string;
}

const STAMP = '.source-hash';

/** `vite build` of apps/web as a child process (the orchestrator never loads the bundler). */
export const viteBuilder: WebBuilder = (appDir, outDir) =>
  new Promise((resolve, reject) => {
    const vite = join(appDir, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js');
    const child = spawn(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`vite build failed (${signal ?? `exit ${code}`}):\n${output.trim()}`))));
  });

async function stampOf(dir: string): Promise<string | undefined> {
  const [stamp, index] = await Promise.all([readFile(join(dir, STAMP), 'utf8').catch(() => undefined), stat(join(dir, 'index.html')).catch(() => undefined)]);
  return index?.isFile() ? stamp?.trim() : undefined;
}

/**
 * Makes apps/web/dist match its sources: nothing to do when the stamp in dist equals the sources'
 * hash, else a build into a fresh folder that replaces dist only once complete — a failed build
 * leaves the previous one in place and no temporary folder behind.
 */
export async function ensureWebBuild(options: EnsureWebBuildOptions): Promise<WebBuild> {
  const appDir = join(options.root, 'apps', 'web');
  const dir = join(appDir, 'dist');
  const sourceHash = await webSourceHash(options.root, options.sources ?? WEB_SOURCES);
  if ((await stampOf(dir)) === sourceHash) return { dir, built: false, sourceHash };
  options.log?.('building the web app (apps/web/dist)…');
  const tmp = join(options.root, 'node_modules', '.cache', `sophia-web-build-${process.pid}-${Date.now()}`);
  try {
    await (options.builder ?? viteBuilder)(appDir, tmp);
    await writeFile(join(tmp, STAMP), `${sourceHash}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir).catch(async (err: unknown) => {
      // Another build finished first with the same sources: theirs stands.
      if ((await stampOf(dir)) !== sourceHash) throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { dir, built: true, sourceHash };
}

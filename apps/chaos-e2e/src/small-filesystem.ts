import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** A small tmpfs of its own, so a test can fill the disk under the mesh's data directory and free it again. */
export interface SmallFilesystem {
  /** The mount point (empty, writable). */
  readonly dir: string;
  /** Writes a filler file until the filesystem refuses (ENOSPC); returns the bytes written. */
  fill(): number;
  /** Removes the filler: the space returns. */
  free(): void;
  /** Unmounts and removes the mount point. Safe twice. */
  dispose(): void;
}

const FILLER = '.filler';
/** Mount points are `<tmpdir>/chaos-tmpfs-<pid>-XXXXXX`: the pid tells a live test's mount from one a killed run left. */
const MOUNT_PREFIX = 'chaos-tmpfs-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Unmounts and removes the tmpfs mounts that test runs killed from outside (SIGKILL, a timeout) left
 * behind — the ones whose owning process is gone — so nothing accumulates across runs. Returns them.
 */
export function sweepStaleMounts(mountsText = readFileSync('/proc/self/mounts', 'utf8')): string[] {
  const stale: string[] = [];
  const pattern = new RegExp(`^${MOUNT_PREFIX}(\\d+)-`);
  for (const line of mountsText.split('\n')) {
    const [source, point, type] = line.split(' ');
    if (source !== 'tmpfs' || type !== 'tmpfs' || point === undefined || dirname(point) !== tmpdir()) continue;
    const match = pattern.exec(basename(point));
    if (match === null || alive(Number(match[1]))) continue;
    try {
      execFileSync('umount', ['--lazy', point], { stdio: 'pipe' });
      rmSync(point, { recursive: true, force: true });
      stale.push(point);
    } catch {
      // Another run swept it first, or we may not unmount: leave it to that run.
    }
  }
  return stale;
}

function mount(dir: string, sizeMiB: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
}

/**
 * Why a tmpfs cannot be mounted here (not root, no CAP_SYS_ADMIN, no `mount` binary), or undefined
 * when it can: probed by mounting and unmounting one.
 */
export function smallFilesystemUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `mounting a tmpfs needs Linux (this is ${process.platform})`;
  const dir = mkdtempSync(join(tmpdir(), 'chaos-tmpfs-probe-'));
  try {
    mount(dir, 1);
    execFileSync('umount', [dir], { stdio: 'pipe' });
    sweepStaleMounts();
    return undefined;
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    return `cannot mount a tmpfs (needs root or CAP_SYS_ADMIN; uid ${process.getuid?.()}): ${stderr || (err as Error).message}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Mounts a tmpfs of `sizeMiB` on a fresh temp directory. */
export function mountSmallFilesystem(sizeMiB: number): SmallFilesystem {
  const dir = mkdtempSync(join(tmpdir(), `${MOUNT_PREFIX}${process.pid}-`));
  try {
    mount(dir, sizeMiB);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let mounted = true;
  return {
    dir,
    fill() {
      const fd = openSync(join(dir, FILLER), 'a');
      let written = 0;
      try {
        // Large writes first, then single pages, so the last free page goes too.
        for (const size of [1 << 20, 4096]) {
          const chunk = Buffer.alloc(size, 0x5a);
          for (;;) {
            try {
              written += writeSync(fd, chunk);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw err;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free() {
      rmSync(join(dir, FILLER), { force: true });
    },
    dispose() {
      if (!mounted) return;
      mounted = false;
      try {
        execFileSync('umount', ['--lazy', dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// #20 "a data directory that is full": the ledger started on a filesystem that is already full must
// refuse with ONE line naming the directory and what to do, and exit 3 (the machine's state, not a
// bug) — no stack trace, nothing half-created left behind as if it were a state file. Both a fresh
// directory and one holding a previous run's state file. Also: tmpfs mounts a killed test run left
// behind are swept by the next run. Needs root (or CAP_SYS_ADMIN) to mount; skipped with the reason otherwise.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountSmallFilesystem, smallFilesystemUnavailable, sweepStaleMounts, type SmallFilesystem } from './small-filesystem.ts';

const LEDGER_MAIN = join(__dirname, '..', '..', 'ledger', 'src', 'main.ts');

const unavailable = smallFilesystemUnavailable();
if (unavailable) process.stderr.write(`[chaos disk-full-start] SKIPPED: ${unavailable}\n`);
const itMounted = unavailable ? it.skip : it;

/** Runs the ledger on `dataDir` until it exits (or, once listening, stops it): exit code and stderr lines. */
function runLedger(dataDir: string): Promise<{ code: number | null; stderr: string[]; listened: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LEDGER_MAIN], {
      env: { PATH: process.env['PATH'] ?? '', SOPHIA_LOG_LEVEL: 'warn', SOPHIA_LEDGER_PORT: '0', SOPHIA_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let listened = false;
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.stdout.on('data', () => {
      if (listened) return;
      listened = true;
      child.kill('SIGTERM');
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr: stderr.split('\n').filter((l) => l.trim() !== ''), listened }));
  });
}

const mountedNow = (): string => readFileSync('/proc/self/mounts', 'utf8');

describe('chaos: starting on a full disk', () => {
  let fs: SmallFilesystem | undefined;
  afterEach(() => {
    fs?.dispose();
    fs = undefined;
  });

  itMounted('a fresh data directory on a full filesystem: one line naming the directory, exit 3, no stack', async () => {
    fs = mountSmallFilesystem(4);
    const dataDir = join(fs.dir, 'data');
    mkdirSync(dataDir);
    fs.fill();
    const run = await runLedger(dataDir);
    expect(run.listened).toBe(false);
    expect(run.code).toBe(3);
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(new RegExp(`^ledger: cannot start: data directory ${dataDir}: the filesystem is full \\(.*\\); free space there, then start again$`));
  });

  itMounted('a directory holding a previous run’s state file, filled while it was stopped: the same one line, and the file serves again once space returns', async () => {
    fs = mountSmallFilesystem(4);
    const dataDir = join(fs.dir, 'data');
    mkdirSync(dataDir);
    const first = await runLedger(dataDir);
    expect(first).toMatchObject({ stderr: [], listened: true });
    fs.fill();
    const full = await runLedger(dataDir);
    expect(full.code).toBe(3);
    expect(full.stderr).toHaveLength(1);
    expect(full.stderr[0]).toMatch(/^ledger: cannot start: (data directory|state file) .*the filesystem is full .*; free space there, then start again$/);
    fs.free();
    expect(await runLedger(dataDir)).toMatchObject({ stderr: [], listened: true });
  });

  itMounted('sweeps a tmpfs left mounted by a test run that was killed (its process is gone), and leaves a live one alone', () => {
    const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));
    const stale = join(tmpdir(), `chaos-tmpfs-${deadPid}-killedrun`);
    mkdirSync(stale);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', stale], { stdio: 'pipe' });
      fs = mountSmallFilesystem(1);
      expect(mountedNow()).toContain(` ${stale} tmpfs `);
      expect(sweepStaleMounts()).toContain(stale);
      expect(mountedNow()).not.toContain(` ${stale} tmpfs `);
      expect(mountedNow()).toContain(` ${fs.dir} tmpfs `);
    } finally {
      try {
        execFileSync('umount', ['--lazy', stale], { stdio: 'pipe' });
      } catch {
        // swept already
      }
      rmSync(stale, { recursive: true, force: true });
    }
  });
});

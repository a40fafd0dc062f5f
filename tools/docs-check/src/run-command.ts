import { spawn } from 'node:child_process';

/** How one run ended. */
export interface RunResult {
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

/** Options for {@link runCommand}. */
export interface RunOptions {
  readonly shell: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutS: number;
  /** Stop with success once the output matches (a server's "listening" line). */
  readonly until?: RegExp;
  /** The output must match. */
  readonly expect?: RegExp;
}

/** How long a stopped command's process group may take to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 30_000;

/**
 * Runs `sh -c <shell>` in its own process group (so a server and its children all stop), and
 * decides: exit 0 (and `expect` matched), or `until` matched before the timeout. A command stopped
 * (on `until` or the timeout) is answered only once every process of its group has exited — a
 * draining server still writes into the data and temp folders the caller removes next — and a group
 * that outlives SIGTERM by {@link STOP_GRACE_MS} is killed.
 */
export function runCommand(options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', options.shell], { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let settled = false;
    let stopped: { ok: boolean; detail: string } | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const signalGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const finish = (ok: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ok, detail, ms: Date.now() - started });
    };
    /** The verdict is known; it is given once the group has exited ('close' below). */
    const stopWith = (ok: boolean, detail: string): void => {
      if (stopped) return;
      stopped = { ok, detail };
      clearTimeout(timer);
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS);
    };
    // The last lines, and, when a test runner printed failures (Jest's "●" headings), the first of them:
    // the summary alone does not say which test failed.
    const tail = (): string => {
      const lines = output.trim().split('\n');
      const firstFailure = lines.findIndex((l) => l.includes('●'));
      const failure = firstFailure >= 0 && firstFailure < lines.length - 6 ? [...lines.slice(firstFailure, Math.min(firstFailure + 30, lines.length - 6)), '…'] : [];
      return [...failure, ...lines.slice(-6)].join('\n');
    };
    const timer = setTimeout(() => stopWith(false, `timed out after ${options.timeoutS} s\n${tail()}`), options.timeoutS * 1000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > 200_000) output = output.slice(-100_000);
      if (options.until?.test(output)) stopWith(true, `printed ${options.until}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // 'close': sh has exited and every process that held its output (the whole group, in practice) has too.
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      if (stopped) return finish(stopped.ok, stopped.detail);
      if (code === 0 && options.expect && !options.expect.test(output)) return finish(false, `exit 0 but the output does not match ${options.expect}\n${tail()}`);
      if (code === 0) return finish(true, 'exit 0');
      finish(false, `exit ${code ?? signal}${options.until ? ` before printing ${options.until}` : ''}\n${tail()}`);
    });
  });
}

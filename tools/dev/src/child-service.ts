import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The JSON line a mesh process prints on stdout once it listens. */
export interface ListeningLine {
  readonly event: 'listening';
  readonly [key: string]: unknown;
}

/** Options for {@link startChild}. */
export interface StartChildOptions {
  /** Label for log lines, e.g. "router". */
  readonly name: string;
  /** Path of the TypeScript entry point, run by this Node binary. */
  readonly script: string;
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Receives each stderr line (and stdout lines other than the listening line). */
  readonly onLog: (name: string, line: string) => void;
  /** How long to wait for the listening line. @default 30000 */
  readonly readyTimeoutMs?: number;
}

/** A started child process of the mesh. */
export interface ChildService {
  readonly name: string;
  readonly pid: number;
  readonly ready: ListeningLine;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (or signal name). */
  stop(graceMs?: number): Promise<number | string>;
}

/**
 * Spawns one mesh process and resolves when it announces itself. A process that exits or stays
 * silent before that rejects with its last log lines, so a broken config fails loudly at start.
 */
export function startChild(options: StartChildOptions): Promise<ChildService> {
  const child = spawn(process.execPath, [options.script, ...(options.args ?? [])], {
    env: options.env as NodeJS.ProcessEnv,
    // The IPC channel lets a child notice that its parent died (its 'disconnect' event).
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  const recent: string[] = [];
  const remember = (line: string): void => {
    recent.push(line);
    if (recent.length > 40) recent.shift();
    options.onLog(options.name, line);
  };
  createInterface({ input: child.stderr! }).on('line', remember);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return new Promise<ChildService>((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not start within ${options.readyTimeoutMs ?? 30000} ms:\n${recent.join('\n')}`));
    }, options.readyTimeoutMs ?? 30000);
    void exited.then((code) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited (${code}) before listening:\n${recent.join('\n')}`));
      }
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!ready && line.startsWith('{')) {
        try {
          const parsed = JSON.parse(line) as { event?: unknown };
          if (parsed.event === 'listening') {
            ready = true;
            clearTimeout(timer);
            resolve({
              name: options.name,
              pid: child.pid!,
              ready: parsed as ListeningLine,
              process: child,
              stop: async (graceMs = 8000) => {
                if (child.exitCode !== null || child.signalCode !== null) return exited;
                child.kill('SIGTERM');
                const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
                const code = await exited;
                clearTimeout(kill);
                return code;
              },
            });
            return;
          }
        } catch {
          // not our line: fall through to the log
        }
      }
      remember(line);
    });
  });
}

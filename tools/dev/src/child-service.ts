import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The JSON line a mesh process prints on stdout once it listens (one per hosted service). */
export interface ListeningLine {
  readonly event: 'listening';
  readonly [key: string]: unknown;
}

/** How a child ended: its exit code or the signal that killed it, and whether we asked it to. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when {@link ChildService.stop} was called first. */
  readonly requested: boolean;
}

/** Options for {@link startChild}. */
export interface StartChildOptions {
  /** Label for log lines, e.g. "router" or "mesh". */
  readonly name: string;
  /** Path of the TypeScript entry point, run by this Node binary. */
  readonly script: string;
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Receives each stderr line (and stdout lines other than listening lines). */
  readonly onLog: (name: string, line: string) => void;
  /**
   * The services whose listening lines (their `service` field) mean the process is ready; a host
   * running several services prints one each. @default the first listening line
   */
  readonly expect?: readonly string[];
  /** How long to wait for the listening lines. @default 30000 */
  readonly readyTimeoutMs?: number;
}

/** A started child process of the mesh. */
export interface ChildService {
  readonly name: string;
  readonly pid: number;
  /** The first listening line (the only one for a single-service process). */
  readonly ready: ListeningLine;
  /** Every listening line by its `service` field (or the child's name when it has none). */
  readonly listening: Readonly<Record<string, ListeningLine>>;
  readonly process: ChildProcess;
  /** Resolves when the process ends, however it ends. */
  readonly exited: Promise<ChildExit>;
  /** Its last log lines (up to 40), oldest first: what a crash report shows. */
  recentLines(): readonly string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (or signal name). */
  stop(graceMs?: number): Promise<number | string>;
}

/**
 * Spawns one mesh process and resolves when it has announced every expected service. A process
 * that exits or stays silent before that rejects with its last log lines, so a broken config fails
 * loudly at start.
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
  let requested = false;
  const exited = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, requested })));
  const describe = (e: ChildExit): number | string => e.code ?? e.signal ?? 'unknown';
  const readyTimeoutMs = options.readyTimeoutMs ?? 30000;
  return new Promise<ChildService>((resolve, reject) => {
    let ready = false;
    const lines: Record<string, ListeningLine> = {};
    let first: ListeningLine | undefined;
    const missing = (): string[] => (options.expect ?? []).filter((s) => lines[s] === undefined);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      const waiting = missing();
      reject(new Error(`${options.name} did not start within ${readyTimeoutMs} ms${waiting.length ? ` (no listening line from ${waiting.join(', ')})` : ''}:\n${recent.join('\n')}`));
    }, readyTimeoutMs);
    void exited.then((e) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited (${describe(e)}) before listening:\n${recent.join('\n')}`));
      }
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) {
        try {
          const parsed = JSON.parse(line) as ListeningLine;
          if (parsed.event === 'listening') {
            first ??= parsed;
            lines[typeof parsed['service'] === 'string' ? parsed['service'] : options.name] = parsed;
            if (!ready && missing().length === 0) {
              ready = true;
              clearTimeout(timer);
              resolve({
                name: options.name,
                pid: child.pid!,
                ready: first,
                listening: lines,
                process: child,
                exited,
                recentLines: () => [...recent],
                stop: async (graceMs = 8000) => {
                  requested = true;
                  if (child.exitCode !== null || child.signalCode !== null) return describe(await exited);
                  child.kill('SIGTERM');
                  const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
                  const e = await exited;
                  clearTimeout(kill);
                  return describe(e);
                },
              });
            }
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

import { startChild, type ChildExit, type ChildService, type ListeningLine } from './child-service.ts';

/** Listening lines of a unit's first start, by service: the ports a restart binds again. */
export type PinnedLines = Readonly<Record<string, ListeningLine>>;

/** One OS process the supervisor runs: a mesh host (one or all services) or a simulator. */
export interface SupervisedUnit {
  /** Label in logs and reports: "mesh", "router", "sim-vllm-1". */
  readonly name: string;
  /** TypeScript entry point, run by this Node binary. */
  readonly script: string;
  /** Env added to the supervisor's base env; `pinned` is set on a restart. */
  readonly env: Readonly<Record<string, string | undefined>> | ((pinned: PinnedLines | undefined) => Readonly<Record<string, string | undefined>>);
  readonly args?: (pinned: PinnedLines | undefined) => readonly string[];
  /** Services whose listening lines mean it is ready (none: the first line). */
  readonly expect: readonly string[];
}

/** What the supervisor reports. */
export type SupervisorEvent =
  | { readonly kind: 'crashed'; readonly unit: string; readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly lastLines: readonly string[]; readonly restartInMs: number }
  | { readonly kind: 'restarted'; readonly unit: string; readonly pid: number; readonly attempt: number }
  | { readonly kind: 'restart-failed'; readonly unit: string; readonly error: string }
  | { readonly kind: 'gave-up'; readonly unit: string; readonly reason: string };

/** Restart policy; defaults suit `npm start` (documented in docs/operations.md). */
export interface RestartPolicy {
  /** First delay before a restart; doubles per crash in the window. @default 250 */
  readonly initialBackoffMs?: number;
  /** @default 5000 */
  readonly maxBackoffMs?: number;
  /** Crashes of one unit within `windowMs` that count as a crash loop. @default 5 */
  readonly maxCrashes?: number;
  /** @default 60000 */
  readonly windowMs?: number;
}

/** Options for {@link createSupervisor}. */
export interface SupervisorOptions {
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly onLog: (name: string, line: string) => void;
  /** Restart crashed units (off: a crash is reported only). @default true */
  readonly restart?: boolean;
  readonly policy?: RestartPolicy;
  readonly onEvent?: (event: SupervisorEvent) => void;
  /** A unit crash-looped: the caller stops everything and exits non-zero. */
  readonly onGiveUp?: (reason: string) => void;
  /** A unit came back: its new process (pid, listening lines). */
  readonly onRestarted?: (child: ChildService) => void;
  readonly readyTimeoutMs?: number;
}

/** Runs units, restarts the ones that exit unexpectedly, and stops them all in reverse order. */
export interface Supervisor {
  /** Starts a unit and watches it; rejects (nothing to supervise) when its first start fails. */
  start(unit: SupervisedUnit): Promise<ChildService>;
  /** The live process of every unit, in start order. */
  children(): readonly ChildService[];
  /** Stops restarting and stops every unit, last started first. */
  stopAll(): Promise<void>;
}

function envFor(unit: SupervisedUnit, pinned: PinnedLines | undefined): Readonly<Record<string, string | undefined>> {
  return typeof unit.env === 'function' ? unit.env(pinned) : unit.env;
}

/**
 * Supervision for `npm start` (Kubernetes does this job in deploy/): a unit that exits without
 * being asked is reported at once (exit code or signal and its last log lines) and restarted on
 * the ports it first bound, after a backoff that doubles with each crash in the window; a unit
 * that crashes `maxCrashes` times within `windowMs` is a crash loop — `onGiveUp` with the reason,
 * rather than serving errors forever.
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const policy = { initialBackoffMs: 250, maxBackoffMs: 5000, maxCrashes: 5, windowMs: 60_000, ...options.policy };
  const entries: Array<{ unit: SupervisedUnit; child: ChildService; pinned: PinnedLines; crashes: number[] }> = [];
  let stopping = false;
  let timers = new Set<NodeJS.Timeout>();
  const launch = (unit: SupervisedUnit, pinned: PinnedLines | undefined): Promise<ChildService> =>
    startChild({
      name: unit.name,
      script: unit.script,
      args: unit.args?.(pinned) ?? [],
      env: { ...options.baseEnv, ...envFor(unit, pinned) },
      expect: unit.expect,
      onLog: options.onLog,
      ...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
    });

  const watch = (entry: (typeof entries)[number]): void => {
    void entry.child.exited.then((exit: ChildExit) => {
      if (exit.requested || stopping) return;
      onCrash(entry, exit.code, exit.signal, entry.child.recentLines());
    });
  };

  const onCrash = (entry: (typeof entries)[number], code: number | null, signal: NodeJS.Signals | null, lastLines: readonly string[]): void => {
    const now = Date.now();
    entry.crashes = [...entry.crashes.filter((t) => now - t < policy.windowMs), now];
    const n = entry.crashes.length;
    if (options.restart === false) {
      options.onEvent?.({ kind: 'crashed', unit: entry.unit.name, code, signal, lastLines, restartInMs: -1 });
      return;
    }
    if (n >= policy.maxCrashes) {
      options.onEvent?.({ kind: 'crashed', unit: entry.unit.name, code, signal, lastLines, restartInMs: -1 });
      const reason = `${entry.unit.name} crashed ${n} times within ${Math.round(policy.windowMs / 1000)} s (last: ${signal ?? `exit ${code}`}); stopping the mesh instead of serving errors`;
      options.onEvent?.({ kind: 'gave-up', unit: entry.unit.name, reason });
      options.onGiveUp?.(reason);
      return;
    }
    const delay = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (n - 1));
    options.onEvent?.({ kind: 'crashed', unit: entry.unit.name, code, signal, lastLines, restartInMs: delay });
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopping) return;
      launch(entry.unit, entry.pinned).then(
        (child) => {
          if (stopping) {
            void child.stop();
            return;
          }
          entry.child = child;
          options.onEvent?.({ kind: 'restarted', unit: entry.unit.name, pid: child.pid, attempt: n });
          options.onRestarted?.(child);
          watch(entry);
        },
        (err: unknown) => {
          if (stopping) return;
          const message = err instanceof Error ? err.message : String(err);
          options.onEvent?.({ kind: 'restart-failed', unit: entry.unit.name, error: message });
          onCrash(entry, null, null, message.split('\n').slice(-20));
        },
      );
    }, delay);
    timers.add(timer);
  };

  return {
    async start(unit) {
      const child = await launch(unit, undefined);
      const entry = { unit, child, pinned: child.listening, crashes: [] as number[] };
      entries.push(entry);
      if (stopping) {
        await child.stop();
        return child;
      }
      watch(entry);
      return child;
    },
    children: () => entries.map((e) => e.child),
    async stopAll() {
      stopping = true;
      for (const t of timers) clearTimeout(t);
      timers = new Set();
      for (const entry of entries.splice(0).reverse()) await entry.child.stop();
    },
  };
}

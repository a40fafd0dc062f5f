import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { findRepoRoot } from '@sophia/dev';

/** A running standalone warehouse sink (apps/ledger/src/warehouse-sink-main.ts). */
export interface WarehouseWriter {
  readonly pid: number;
  /** Stops it with `signal` (SIGTERM: after the batch in hand; SIGKILL: mid-batch) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** How a start went: running, or exited before it started, with what it printed (the operator's view). */
export type WriterStart = { readonly ok: true; readonly writer: WarehouseWriter } | { readonly ok: false; readonly exitCode: number | null; readonly output: string };

/**
 * Starts the warehouse sink as a deployment runs it — its own process, reading the ledger's durable
 * log in Redis and writing the DuckDB file — so a row can take the warehouse away from under it.
 */
export function startWarehouseWriter(env: Readonly<Record<string, string>>): Promise<WriterStart> {
  const script = join(findRepoRoot(), 'apps', 'ledger', 'src', 'warehouse-sink-main.ts');
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', SOPHIA_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (c: Buffer) => void (output += c.toString()));
  const stop = (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return new Promise((resolve) => {
    let out = '';
    const onData = (c: Buffer): void => {
      out += c.toString();
      if (out.includes('"event":"started"')) {
        child.stdout!.off('data', onData);
        child.off('close', onClose);
        child.stdout!.resume();
        resolve({ ok: true, writer: { pid: child.pid!, stop } });
      }
    };
    const onClose = (code: number | null): void => resolve({ ok: false, exitCode: code, output: `${out}${output}` });
    child.stdout!.on('data', onData);
    child.once('close', onClose);
  });
}

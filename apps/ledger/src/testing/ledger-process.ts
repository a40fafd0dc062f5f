// Test helper: a real ledger (main.ts) or warehouse sink (warehouse-sink-main.ts) process, with its
// stdout and stderr JSON lines (announcements, pino logs) kept and a gRPC client once it listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { LedgerService } from '@sophia/contracts/ledger';

/** A spawned process and the JSON lines it printed. */
export interface TestProcess {
  readonly child: ChildProcess;
  readonly lines: Array<Record<string, unknown>>;
  /** SIGTERM (or `signal`) and wait for exit; resolves with the exit code (null when killed by signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A ledger process with a client. */
export interface TestLedger extends TestProcess {
  readonly client: Client<typeof LedgerService>;
  readonly address: string;
}

function spawnScript(script: string, env: Record<string, string>, readyEvent: string, srcDir: string | undefined): Promise<TestProcess & { ready: Record<string, unknown> }> {
  // Under Jest (CommonJS) __dirname is defined; ES-module callers (the bench) pass srcDir.
  const child = spawn(process.execPath, [join(srcDir ?? join(__dirname, '..'), script)], {
    env: { PATH: process.env['PATH'] ?? '', SOPHIA_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  // Logs (pino) go to stderr as JSON lines: keep them; anything else (a start-up failure) is kept
  // for the exit error and passed through for debugging.
  const rawErrors: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      rawErrors.push(line);
      process.stderr.write(`${line}\n`);
    }
  });
  const stop = (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  return new Promise((resolve, reject) => {
    // 'close' comes after stdio has drained, so the reason printed on stderr is in rawErrors.
    const onExit = (code: number | null): void => reject(new Error(`${script} exited with ${code} before '${readyEvent}': ${rawErrors.join('\n')}`));
    child.once('close', onExit);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      lines.push(parsed);
      if (parsed['event'] === readyEvent) {
        child.off('close', onExit);
        resolve({ child, lines, stop, ready: parsed });
      }
    });
  });
}

/** Starts `node src/main.ts` on a free port with `env`; `srcDir` = the ledger's src folder (default: found from this file under Jest). */
export async function startLedgerProcess(env: Record<string, string>, srcDir?: string): Promise<TestLedger> {
  const started = await spawnScript('main.ts', { SOPHIA_LEDGER_PORT: '0', ...env }, 'listening', srcDir);
  const address = String(started.ready['grpc']);
  const client = createClient(LedgerService, createGrpcTransport({ baseUrl: `http://${address}` }));
  return { child: started.child, lines: started.lines, stop: started.stop, client, address };
}

/** Starts `node src/warehouse-sink-main.ts` with `env`. */
export async function startSinkProcess(env: Record<string, string>, srcDir?: string): Promise<TestProcess> {
  const started = await spawnScript('warehouse-sink-main.ts', env, 'started', srcDir);
  return { child: started.child, lines: started.lines, stop: started.stop };
}

// Test helper shared by every service whose tests need Redis: a throwaway real redis-server on a free
// port, no persistence, killed afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { unusedPort } from './unused-port.ts';

/** A running redis-server started by startRedisServer. */
export interface TestRedisServer {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/** True when a `redis-server` binary is on PATH (tests skip with a message otherwise). */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error === undefined;
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`)));
    child.once('error', reject);
  });
}

/** Starts redis-server on a free port (retrying if another process grabs the port first). */
export async function startRedisServer(): Promise<TestRedisServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await unusedPort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await waitForReady(child);
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      continue;
    }
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      stop: () =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  }
  throw new Error(`could not start redis-server: ${String(lastError)}`);
}

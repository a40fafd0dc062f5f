// Test helper shared by every service whose tests need Redis: a throwaway real redis-server on a free
// port, no persistence, killed afterwards; and a real Sentinel watching one, for failover tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unusedPort } from './unused-port.ts';

/** A running redis-server (or sentinel) started by the helpers below. */
export interface TestRedisServer {
  readonly port: number;
  readonly url: string;
  /** Graceful stop (SIGTERM). */
  stop(): Promise<void>;
  /** Abrupt death (SIGKILL), e.g. to make a sentinel fail over. */
  kill(): Promise<void>;
}

/** Options for {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** Extra redis-server arguments, e.g. `['--replicaof', '127.0.0.1', '6379']`. */
  readonly args?: readonly string[];
}

/** True when a `redis-server` binary is on PATH (tests skip with a message otherwise). */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error === undefined;
}

function waitForLine(child: ChildProcess, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(marker)) {
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

function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

async function startOnFreePort(argsFor: (port: number) => string[], marker: string, cleanup = (): void => undefined): Promise<TestRedisServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await unusedPort();
    const child = spawn('redis-server', argsFor(port), { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await waitForLine(child, marker);
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      continue;
    }
    const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
      await ended(child, signal);
      cleanup();
    };
    return { port, url: `redis://127.0.0.1:${port}`, stop: () => stopWith('SIGTERM'), kill: () => stopWith('SIGKILL') };
  }
  cleanup();
  throw new Error(`could not start redis-server: ${String(lastError)}`);
}

/**
 * Starts redis-server on a free port (retrying if another process grabs the port first), in its own
 * temporary directory: a server loads any dump.rdb in its working directory at start, and a replica
 * writes one during sync, so sharing the test's directory would leak data from one run into the next.
 */
export function startRedisServer(options: StartRedisServerOptions = {}): Promise<TestRedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sophia-redis-'));
  return startOnFreePort(
    (port) => ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'notice', ...(options.args ?? [])],
    'Ready to accept connections',
    () => rmSync(dir, { recursive: true, force: true }),
  );
}

/** Options for {@link startRedisSentinel}. */
export interface StartRedisSentinelOptions {
  /** Port of the primary to monitor (on 127.0.0.1). */
  readonly primaryPort: number;
  /** The monitored primary's name. @default "sophia" */
  readonly name?: string;
  /** How long the primary must be unreachable before failover. @default 500 */
  readonly downAfterMs?: number;
}

/** Starts a real Sentinel (`redis-server --sentinel`) with quorum 1 watching one primary. */
export function startRedisSentinel(options: StartRedisSentinelOptions): Promise<TestRedisServer> {
  const name = options.name ?? 'sophia';
  // Sentinel rewrites its config file, so each instance gets its own directory.
  const dir = mkdtempSync(join(tmpdir(), 'sophia-sentinel-'));
  return startOnFreePort(
    (port) => {
      const file = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${options.primaryPort} 1`,
          `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 500}`,
          `sentinel failover-timeout ${name} 2000`,
          '',
        ].join('\n'),
      );
      return [file, '--sentinel'];
    },
    `+monitor master ${name}`,
    () => rmSync(dir, { recursive: true, force: true }),
  );
}

/** A running Redis Cluster started by {@link startRedisCluster}. */
export interface TestRedisCluster {
  readonly nodes: ReadonlyArray<TestRedisServer>;
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,…` */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real Redis Cluster of `size` primaries (no replicas) on free ports: each node with
 * `--cluster-enabled yes` in its own directory, slots assigned by `redis-cli --cluster create`, and
 * resolves once every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(size = 3): Promise<TestRedisCluster> {
  const nodes: TestRedisServer[] = [];
  const stop = async (): Promise<void> => {
    for (const node of nodes.splice(0)) await node.stop();
  };
  try {
    for (let i = 0; i < size; i++) nodes.push(await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'] }));
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    const deadline = Date.now() + 20_000;
    for (const node of nodes) {
      for (;;) {
        const info = spawnSync('redis-cli', ['-p', String(node.port), 'cluster', 'info'], { encoding: 'utf8' });
        if (info.stdout.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${node.port} not ok: ${info.stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return { nodes: [...nodes], url: `redis+cluster://${addresses.join(',')}`, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

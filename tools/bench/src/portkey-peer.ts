// The peer gateway the overhead target is stated against: Portkey's open-source gateway
// (npm @portkey-ai/gateway), run as its own process on this machine against the same upstream.
// Benchmark-only, so it is installed on first use into .tools/portkey (pinned, like ghz) rather
// than added to the workspace lockfile and every CI install.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { unusedPort } from '@sophia/platform/testing';

export const PORTKEY_VERSION = '1.15.2';

/** A running Portkey gateway and how to send it the benchmark's request. */
export interface PortkeyPeer {
  readonly origin: string;
  /** Headers that make Portkey forward to an OpenAI-compatible upstream at `upstreamApiRoot`. */
  headersFor(upstreamApiRoot: string): Record<string, string>;
  stop(): Promise<void>;
}

/** Installs (once) and returns the path of Portkey's server entry point. */
export function ensurePortkey(root: string): string {
  const prefix = join(root, '.tools', 'portkey');
  const entry = join(prefix, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  if (existsSync(entry)) return entry;
  // --ignore-scripts: its only install script is patch-package, with no patches shipped.
  const install = spawnSync(
    'npm',
    ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', `@portkey-ai/gateway@${PORTKEY_VERSION}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (install.status !== 0 || !existsSync(entry)) throw new Error(`could not install @portkey-ai/gateway@${PORTKEY_VERSION} into ${prefix}`);
  return entry;
}

async function waitForHttp(origin: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      await (await fetch(origin)).arrayBuffer();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Portkey did not answer at ${origin}`, { cause: err });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Starts Portkey on a free loopback port and waits until it answers HTTP. */
export async function startPortkeyPeer(root: string): Promise<PortkeyPeer> {
  const entry = ensurePortkey(root);
  const port = await unusedPort();
  const child = spawn(process.execPath, [entry, `--port=${port}`, '--headless'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([waitForHttp(origin, Date.now() + 30_000), exited.then(() => Promise.reject(new Error('Portkey exited at start')))]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    origin,
    headersFor: (upstreamApiRoot) => ({
      'content-type': 'application/json',
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': upstreamApiRoot,
      authorization: 'Bearer sk-benchmark',
    }),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

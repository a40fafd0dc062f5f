import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from './child-service.ts';
import { findRepoRoot } from './repo-root.ts';
import { scratchDir } from '@sophia/platform/testing';

const dir = scratchDir('child-');
const script = (name: string, body: string): string => {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
};

describe('startChild (real processes)', () => {
  it('resolves with the listening line and stops the process with SIGTERM', async () => {
    const path = script(
      'ok.mjs',
      `process.stderr.write('booting\\n');
       process.on('SIGTERM', () => process.exit(0));
       process.stdout.write(JSON.stringify({ event: 'listening', grpc: '127.0.0.1:1234' }) + '\\n');
       setInterval(() => {}, 1000);`,
    );
    const logs: string[] = [];
    const child = await startChild({ name: 'ok', script: path, env: process.env, onLog: (_n, l) => logs.push(l) });
    expect(child.ready['grpc']).toBe('127.0.0.1:1234');
    expect(logs).toContain('booting');
    expect(await child.stop()).toBe(0);
  });

  it('rejects with the last log lines when the process exits before listening', async () => {
    const path = script('bad.mjs', `process.stderr.write('invalid configuration: SOPHIA_X_PORT\\n'); process.exit(2);`);
    await expect(startChild({ name: 'bad', script: path, env: process.env, onLog: () => undefined })).rejects.toThrow(/bad exited \(2\)[\s\S]*SOPHIA_X_PORT/);
  });

  it('kills a process that never announces itself', async () => {
    const path = script('silent.mjs', `setInterval(() => {}, 1000);`);
    await expect(startChild({ name: 'silent', script: path, env: process.env, onLog: () => undefined, readyTimeoutMs: 300 })).rejects.toThrow(/did not start within 300 ms/);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const path = script(
      'stubborn.mjs',
      `process.on('SIGTERM', () => {});
       process.stdout.write(JSON.stringify({ event: 'listening' }) + '\\n');
       setInterval(() => {}, 1000);`,
    );
    const child = await startChild({ name: 'stubborn', script: path, env: process.env, onLog: () => undefined });
    expect(await child.stop(200)).toBe('SIGKILL');
  });
});

describe('findRepoRoot', () => {
  it('finds the monorepo root from a nested folder and refuses outside it', () => {
    const root = findRepoRoot();
    expect(findRepoRoot(join(root, 'apps', 'router', 'src'))).toBe(root);
    expect(() => findRepoRoot(tmpdir())).toThrow(/not inside the sophia-mesh repository/);
  });
});

describe('parent death', () => {
  it('gives the child an IPC channel whose disconnect it can act on', async () => {
    const path = script(
      'ipc.mjs',
      `process.stdout.write(JSON.stringify({ event: 'listening', ipc: typeof process.send === 'function' }) + '\\n');
       process.once('disconnect', () => process.exit(0));
       setInterval(() => {}, 1000);`,
    );
    const child = await startChild({ name: 'ipc', script: path, env: process.env, onLog: () => undefined });
    expect(child.ready['ipc']).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.process.once('exit', (code) => resolve(code)));
    child.process.disconnect();
    expect(await exited).toBe(0);
  });
});

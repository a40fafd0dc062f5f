// Supervision under `npm start` (issue #20 item 5), with real processes in the SOPHIA_DEPLOYMENT
// mode: kill -9 of the process hosting the router is reported, restarted on the same ports and
// served again; the gateway's readiness shows the router down meanwhile (multi-process); and a
// crash loop stops `npm start` itself with exit 1 and the reason.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { findRepoRoot, startMesh, type Mesh, type SupervisorEvent } from '@sophia/dev';
import { deployment, scratchDataDir } from './mesh-fixture.ts';

const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], SOPHIA_LOG_LEVEL: 'warn', SOPHIA_API_KEYS: 'test-key-acme:acme' };
const chat = (mesh: Mesh): Promise<Response> =>
  fetch(`${mesh.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mesh.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hello' }], max_tokens: 8 }),
  });
const until = async <T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> => {
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe(`supervision (${deployment})`, () => {
  it('reports a kill -9 of the router’s process, restarts it on the same ports and serves again', async () => {
    const events: SupervisorEvent[] = [];
    let gaveUp = '';
    const data = scratchDataDir();
    const mesh = await startMesh({
      // info: the killed process has log lines of its own for the crash report to show.
      env: { ...env, SOPHIA_LOG_LEVEL: 'info', SOPHIA_DATA_DIR: data.dir },
      deployment,
      gatewayPort: 0,
      gpuSimulators: 1,
      onEvent: (e) => events.push(e),
      // A long first backoff keeps the router down long enough to watch the gateway's readiness.
      supervise: { policy: { initialBackoffMs: 1500 }, onGiveUp: (r) => (gaveUp = r) },
    });
    try {
      expect((await chat(mesh)).status).toBe(200);
      const victim = mesh.services['router']!.pid;
      const unit = deployment === 'single-process' ? 'mesh' : 'router';
      process.kill(victim, 'SIGKILL');
      const crashed = await until(() => events.find((e) => e.kind === 'crashed'));
      expect(crashed).toMatchObject({ unit, signal: 'SIGKILL', code: null, restartInMs: 1500 });
      expect(crashed.kind === 'crashed' && crashed.lastLines.length).toBeGreaterThan(0);
      if (deployment === 'multi-process') {
        // The gateway is up but its router is not: not ready, with the reason.
        const ready = await fetch(`${mesh.gatewayUrl}/readyz`);
        expect(ready.status).toBe(503);
        expect(await ready.text()).toMatch(/router/);
      }
      const restarted = await until(() => events.find((e) => e.kind === 'restarted'));
      expect(restarted).toMatchObject({ unit, attempt: 1 });
      expect(mesh.services['router']!.pid).not.toBe(victim);
      const res = await until(async () => {
        const r = await chat(mesh).catch(() => undefined);
        return r?.status === 200 ? r : undefined;
      });
      expect((await res.json()) as { sophia: { backend: string } }).toMatchObject({ sophia: { backend: expect.any(String) } });
      expect((await fetch(`${mesh.gatewayUrl}/readyz`)).status).toBe(200);
      expect(gaveUp).toBe('');
    } finally {
      await mesh.stop();
      data.remove();
    }
  }, 120_000);

  it('stops npm start with exit 1 and the reason when the router crash-loops', async () => {
    const data = scratchDataDir();
    const child = spawn(process.execPath, [join(findRepoRoot(), 'tools/dev/src/main.ts')], {
      env: { ...env, SOPHIA_DEPLOYMENT: deployment, SOPHIA_GATEWAY_PORT: '0', SOPHIA_DATA_DIR: data.dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let routerPid: number | undefined;
    let kills = 0;
    const kill = (): void => {
      if (routerPid === undefined) return;
      kills++;
      process.kill(routerPid, 'SIGKILL');
      routerPid = undefined;
    };
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // The first start prints the service table: "  router   pid 1234  127.0.0.1:…".
      const m = /^ {2}router +pid (\d+)/.exec(line);
      if (m) {
        routerPid = Number(m[1]);
        kill();
      }
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderr.push(line);
      const m = /^supervisor +\| (?:router|mesh) restarted \(pid (\d+)/.exec(line);
      if (m) {
        routerPid = Number(m[1]);
        kill();
      }
    });
    try {
      expect(await exited).toBe(1);
      expect(kills).toBe(5);
      const text = stderr.join('\n');
      expect(text).toMatch(/exited unexpectedly \(killed by SIGKILL\); restarting in 250 ms/);
      expect(text).toMatch(/npm start: (router|mesh) crashed 5 times within 60 s \(last: SIGKILL\); stopping the mesh instead of serving errors/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      data.remove();
    }
  }, 180_000);
});

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { RouterService } from '@sophia/contracts/router';
import { serviceRegistration, startGrpcServer, type RunningGrpcServer } from '@sophia/platform';
import { createFakeRouter } from './testing/fake-router.ts';
import { json } from './testing/gateway-harness.ts';
import { tempDataDir } from '@sophia/state-store/testing';

const MAIN = join(__dirname, 'main.ts');

// The gateway keeps operator plans under SOPHIA_DATA_DIR: one temporary directory for this file.
let dataDir: ReturnType<typeof tempDataDir>;
beforeAll(() => {
  dataDir = tempDataDir('gateway-main-');
});
afterAll(() => dataDir.remove());

function startMain(env: Record<string, string>): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env['PATH'] ?? '', SOPHIA_LOG_LEVEL: 'warn', SOPHIA_DATA_DIR: dataDir.dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return { child, stderr: () => err };
}

async function firstLine(child: ChildProcess): Promise<string> {
  const rl = createInterface({ input: child.stdout! });
  const [line] = (await once(rl, 'line')) as [string];
  rl.close();
  return line;
}

describe('gateway process (node src/main.ts)', () => {
  let router: RunningGrpcServer;
  beforeAll(async () => {
    router = await startGrpcServer({ services: [serviceRegistration(RouterService, createFakeRouter().impl)], logger: pino({ level: 'silent' }) });
  });
  afterAll(() => router.shutdown(100));

  it('exits 2 naming every bad configuration key, and when asked to bind beyond loopback without API keys', async () => {
    const bad = startMain({ SOPHIA_GATEWAY_PORT: 'http', SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS: '-5' });
    const open = startMain({ SOPHIA_ROUTER_ADDR: router.address, SOPHIA_BIND_HOST: '0.0.0.0' });
    const [[badCode], [openCode]] = (await Promise.all([once(bad.child, 'exit'), once(open.child, 'exit')])) as [[number], [number]];
    expect(badCode).toBe(2);
    for (const key of ['SOPHIA_GATEWAY_PORT', 'SOPHIA_ROUTER_ADDR', 'SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS']) expect(bad.stderr()).toContain(key);
    expect(openCode).toBe(2);
    expect(open.stderr()).toMatch(/SOPHIA_BIND_HOST: refusing to bind 0\.0\.0\.0 without SOPHIA_API_KEYS/);
  });

  it('announces one listening line with the local key, serves, counts requests, and drains on SIGTERM', async () => {
    const { child } = startMain({ SOPHIA_ROUTER_ADDR: router.address, SOPHIA_GATEWAY_PORT: '0', SOPHIA_SHUTDOWN_GRACE_MS: '2000' });
    try {
      const line = JSON.parse(await firstLine(child));
      expect(line).toMatchObject({ event: 'listening', service: 'gateway', pid: child.pid });
      expect(line.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(line.metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(line.apiKey).toMatch(/^sk-local-/);
      const models = await fetch(`${line.http}/v1/models`, { headers: { authorization: `Bearer ${line.apiKey}` } });
      expect(models.status).toBe(200);
      expect((await json(models)).data.map((m: { id: string }) => m.id)).toContain('llama-3.1-70b');
      expect((await fetch(`${line.http}/v1/models`)).status).toBe(401);
      const metrics = await (await fetch(line.metrics)).text();
      expect(metrics).toMatch(/http_server_requests_total\{[^}]*route="\/v1\/models"[^}]*status="200"[^}]*\} 1/);
      expect(metrics).toMatch(/http_server_requests_total\{[^}]*route="\/v1\/models"[^}]*status="401"[^}]*\} 1/);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

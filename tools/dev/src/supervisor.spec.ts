import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSupervisor, type Supervisor, type SupervisorEvent } from './supervisor.ts';
import { describeSupervisorEvent } from './supervisor-report.ts';

const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const script = (name: string, body: string): string => {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
};

// A service stand-in: listens on --port (0 = free), says so on stdout, logs its pid on stderr.
const server = script(
  'server.mjs',
  `import { createServer } from 'node:http';
   const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
   const s = createServer((_req, res) => res.end(String(process.pid))).listen(port, '127.0.0.1', () => {
     process.stderr.write('serving as ' + process.pid + ' with ' + process.env.ROLE + '\\n');
     process.stdout.write(JSON.stringify({ event: 'listening', service: 'svc', url: 'http://127.0.0.1:' + s.address().port }) + '\\n');
     if (process.env.CRASH_AFTER_MS) setTimeout(() => process.exit(3), Number(process.env.CRASH_AFTER_MS));
   });
   process.on('SIGTERM', () => process.exit(0));`,
);

const waitFor = async (events: SupervisorEvent[], kind: SupervisorEvent['kind']): Promise<SupervisorEvent> => {
  for (;;) {
    const found = events.find((e) => e.kind === kind);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('createSupervisor (real processes)', () => {
  let supervisor: Supervisor | undefined;
  afterEach(async () => {
    await supervisor?.stopAll();
    supervisor = undefined;
  });

  it('reports a kill -9 with the signal and last log lines, restarts on the same port, and serves again', async () => {
    const events: SupervisorEvent[] = [];
    supervisor = createSupervisor({ baseEnv: { PATH: process.env['PATH'], ROLE: 'svc' }, onLog: () => undefined, onEvent: (e) => events.push(e), policy: { initialBackoffMs: 10 } });
    const first = await supervisor.start({
      name: 'svc',
      script: server,
      env: {},
      args: (pinned) => ['--port', pinned ? new URL(String(pinned['svc']!['url'])).port : '0'],
      expect: ['svc'],
    });
    const url = String(first.listening['svc']!['url']);
    expect(await (await fetch(url)).text()).toBe(String(first.pid));
    process.kill(first.pid, 'SIGKILL');
    const crashed = await waitFor(events, 'crashed');
    expect(crashed).toMatchObject({ kind: 'crashed', unit: 'svc', code: null, signal: 'SIGKILL', restartInMs: 10 });
    expect(crashed.kind === 'crashed' && crashed.lastLines).toEqual([`serving as ${first.pid} with svc`]);
    expect(describeSupervisorEvent(crashed)).toMatch(/^svc exited unexpectedly \(killed by SIGKILL\); restarting in 10 ms\. Its last log lines:\n {4}serving as \d+ with svc$/);
    const restarted = await waitFor(events, 'restarted');
    const now = supervisor.children()[0]!;
    expect(restarted).toMatchObject({ unit: 'svc', pid: now.pid, attempt: 1 });
    expect(now.pid).not.toBe(first.pid);
    expect(String(now.listening['svc']!['url'])).toBe(url);
    expect(await (await fetch(url)).text()).toBe(String(now.pid));
  });

  it('does not restart a unit it was asked to stop', async () => {
    const events: SupervisorEvent[] = [];
    supervisor = createSupervisor({ baseEnv: { PATH: process.env['PATH'] }, onLog: () => undefined, onEvent: (e) => events.push(e) });
    const child = await supervisor.start({ name: 'svc', script: server, env: {}, args: () => ['--port', '0'], expect: ['svc'] });
    expect(await child.stop()).toBe(0);
    await supervisor.stopAll();
    expect(events).toEqual([]);
  });

  it('gives up on a crash loop with the reason, after restarting with a growing backoff', async () => {
    const events: SupervisorEvent[] = [];
    let reason = '';
    supervisor = createSupervisor({
      baseEnv: { PATH: process.env['PATH'], CRASH_AFTER_MS: '30' },
      onLog: () => undefined,
      onEvent: (e) => events.push(e),
      onGiveUp: (r) => (reason = r),
      policy: { initialBackoffMs: 5, maxCrashes: 3, windowMs: 60_000 },
    });
    await supervisor.start({ name: 'flaky', script: server, env: {}, args: () => ['--port', '0'], expect: ['svc'] });
    await waitFor(events, 'gave-up');
    expect(reason).toBe('flaky crashed 3 times within 60 s (last: exit 3); stopping the mesh instead of serving errors');
    const delays = events.flatMap((e) => (e.kind === 'crashed' ? [e.restartInMs] : []));
    expect(delays).toEqual([5, 10, -1]);
    expect(events.filter((e) => e.kind === 'restarted')).toHaveLength(2);
  });
});

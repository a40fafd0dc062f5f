// runServiceHost as a real process (node on a fixture host of two services).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const HOST = join(__dirname, 'fixtures', 'slow-second-service-host.ts');

describe('runServiceHost (real process)', () => {
  it('drains on a SIGTERM sent as soon as the first listening line is out, while another service is still starting', async () => {
    const child = spawn(process.execPath, [HOST], { env: { PATH: process.env['PATH'] ?? '', SOPHIA_LOG_LEVEL: 'silent' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, 'line')) as [string];
      expect(JSON.parse(first)).toMatchObject({ event: 'listening', service: 'first', pid: child.pid });
      child.kill('SIGTERM');
      // "second" finishes starting only now: the signal came before the host was complete.
      child.stdin.end('go\n');
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      // Drained: both services closed, the later one first.
      expect(stderr.match(/\w+ closed/g)).toEqual(['second closed', 'first closed']);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

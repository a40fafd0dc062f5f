// The simulator as a process: one listening line on stdout, the API behind it, exit 2 on bad flags.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('main.ts', import.meta.url));

describe('lambda-cloud-sim process', () => {
  it('announces its URL and answers the API with the configured key, then exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [main, '--port', '0', '--api-key', 'k1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = createInterface({ input: child.stdout });
    const [line] = (await once(lines, 'line')) as [string];
    lines.close();
    const { event, url } = JSON.parse(line) as { event: string; url: string };
    expect(event).toBe('listening');
    const res = await fetch(`${url}/api/v1/instances`, { headers: { authorization: 'Bearer k1' } });
    expect(await res.json()).toEqual({ data: [] });
    const denied = await fetch(`${url}/api/v1/instances`, { headers: { authorization: 'Bearer nope' } });
    expect(denied.status).toBe(401);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });

  it('exits 2 naming a bad flag', async () => {
    const child = spawn(process.execPath, [main, '--boot-ms', 'soon'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(stderr).toContain('--boot-ms must be a non-negative integer, got "soon"');
  });
});

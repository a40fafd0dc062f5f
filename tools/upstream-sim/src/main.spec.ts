import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createSpecClient } from './spec-client.ts';

const MAIN = fileURLToPath(new URL('./main.ts', `file://${__filename}`));

function start(args: string[]) {
  return spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SIM_PERSONA: '' } });
}

describe('main.ts (CLI)', () => {
  it('prints one listening line, serves the flags it was given, and exits 0 on SIGTERM', async () => {
    const child = start(['--persona', 'vllm', '--port', '0', '--ttft-ms', '1', '--inter-token-ms', '0', '--models', 'a,b', '--fault', 'status:code=503']);
    const stdout: string[] = [];
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => stdout.push(line));
    const [first] = (await once(lines, 'line')) as [string];
    const listening = JSON.parse(first) as { event: string; url: string; persona: string };
    expect(listening).toEqual({ event: 'listening', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), persona: 'vllm' });

    const client = createSpecClient();
    try {
      const failing = await client.send(`${listening.url}/v1/chat/completions`, { body: { model: 'a', messages: [{ role: 'user', content: 'x' }] } });
      expect(failing.status).toBe(503);
      const models = JSON.parse((await client.send(`${listening.url}/v1/models`)).text) as { data: Array<{ id: string }> };
      expect(models.data.map((model) => model.id)).toEqual(['a', 'b']);
    } finally {
      await client.close();
    }
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(stdout).toHaveLength(1);
  });

  it('exits 2 naming a bad flag', async () => {
    const child = start(['--persona', 'vllm', '--inter-token-ms', 'soon']);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('--inter-token-ms');
  });
});

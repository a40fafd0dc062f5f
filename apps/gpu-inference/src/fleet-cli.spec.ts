// The CLI contract over a real process: one JSON object with exactly the contract's keys, and
// precise errors with exit code 2.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('fleet-cli.ts', import.meta.url));
const fixture = fileURLToPath(new URL('fleet/sim/fixtures/short-outage.jsonl', import.meta.url));

async function fleet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('fleet CLI', () => {
  it('simulate prints one JSON object with the contract keys', async () => {
    const { code, stdout } = await fleet('simulate', '--trace', fixture, '--boot-minutes', '3');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!) as Record<string, number>;
    expect(Object.keys(result).sort()).toEqual(
      ['all_serverless_usd', 'always_on_usd', 'gpu_instance_hours', 'gpu_usd', 'requests', 'serverless_usd', 'total_usd', 'unserved_requests'].sort(),
    );
    expect(result).toMatchObject({ requests: 200, unserved_requests: 20, gpu_instance_hours: 0.15 });
  });

  it('optimum prints the hindsight optimum of the same trace', async () => {
    const { code, stdout } = await fleet('optimum', '--trace', fixture, '--boot-minutes', '3');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ unserved_requests: 0 });
  });

  it('exits 2 naming the problem: a missing trace option, a bad number, an unreadable trace', async () => {
    const missing = await fleet('simulate');
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('simulate needs --trace FILE.jsonl');
    const bad = await fleet('simulate', '--trace', fixture, '--boot-minutes', 'soon');
    expect(bad.stderr).toContain('--boot-minutes must be a non-negative number, got "soon"');
    const unknown = await fleet('launch');
    expect(unknown.stderr).toContain('unknown command "launch"');
    const absent = await fleet('simulate', '--trace', '/nonexistent/trace.jsonl');
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain('/nonexistent/trace.jsonl');
  });
});

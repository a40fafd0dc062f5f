import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './run-command.ts';

const base = { cwd: tmpdir(), env: { PATH: process.env['PATH'] }, timeoutS: 20 };

describe('runCommand (real sh processes)', () => {
  it('passes on exit 0 and checks the documented output', async () => {
    expect((await runCommand({ ...base, shell: 'echo \'{"ok":true}\'', expect: /^\{"ok":true\}/ })).ok).toBe(true);
    const wrong = await runCommand({ ...base, shell: 'echo \'{"ok":false}\'', expect: /^\{"ok":true\}/ });
    expect(wrong).toMatchObject({ ok: false });
    expect(wrong.detail).toMatch(/does not match/);
  });

  it('fails on a non-zero exit and shows the last output lines', async () => {
    const r = await runCommand({ ...base, shell: 'echo boom >&2; exit 3' });
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^exit 3\nboom/);
  });

  it('shows a test runner’s first failure, not only its summary', async () => {
    const shell = "printf 'PASS a\\n  ● suite › the failing test\\n    Expected: 0\\n    Received: 1\\n' ; for i in 1 2 3 4 5 6 7 8; do echo summary $i; done; exit 1";
    const r = await runCommand({ ...base, shell });
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('● suite › the failing test\n    Expected: 0\n    Received: 1');
    expect(r.detail).toMatch(/summary 8$/);
    expect(r.detail).not.toContain('PASS a');
  });

  it('stops a server (and its children) once it prints the awaited line', async () => {
    const r = await runCommand({ ...base, shell: 'sh -c "echo listening; sleep 30" & wait', until: /listening/ });
    expect(r).toMatchObject({ ok: true, detail: 'printed /listening/' });
  });

  it('answers a stopped server only once it has exited, its drain included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-check-run-'));
    try {
      const drained = join(dir, 'drained');
      // On SIGTERM the server takes a moment to drain and writes a file as its last act.
      const shell = `sh -c 'trap "sleep 1; echo done > ${drained}; exit 0" TERM; echo listening; while :; do sleep 0.1; done' & wait`;
      const r = await runCommand({ ...base, shell, until: /listening/ });
      expect(r).toMatchObject({ ok: true, detail: 'printed /listening/' });
      expect(existsSync(drained)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a command that outlives its timeout', async () => {
    const r = await runCommand({ ...base, shell: 'sleep 30', timeoutS: 1 });
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/timed out after 1 s/);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CLI = path.join(__dirname, 'classify-cli.ts');

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('classify CLI contract', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'classify-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, lines: string[]): string => {
    const file = path.join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };

  it('writes exactly one JSON line per input, in order, and nothing else', () => {
    const inputs = [
      JSON.stringify({ id: 'z1', prompt: 'What is the capital of France?' }),
      JSON.stringify({ id: 'a2', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Prove Fermat’s little theorem.' }] }),
      '',
      JSON.stringify({ id: 'm3', prompt: 'Write a SQL query for the top 5 customers by revenue.' }),
    ];
    const { status, stdout } = run(['--in', write('ok.jsonl', inputs)]);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const parsed = lines.map((l) => JSON.parse(l) as { id: string; tier: string; score: number });
    expect(parsed.map((p) => p.id)).toEqual(['z1', 'a2', 'm3']);
    for (const p of parsed) {
      expect(Object.keys(p).sort()).toEqual(['id', 'score', 'tier']);
      expect(['simple', 'balanced', 'complex']).toContain(p.tier);
      expect(p.score).toBeGreaterThanOrEqual(0);
      expect(p.score).toBeLessThanOrEqual(1);
    }
  });

  it('reads stdin with --in -', () => {
    const { status, stdout } = run(['--in', '-'], `${JSON.stringify({ id: 's', prompt: 'hello' })}\n`);
    expect(status).toBe(0);
    expect(JSON.parse(stdout.trim())).toMatchObject({ id: 's' });
  });

  it('answers a bad body with tier complex and score 1, reporting on stderr', () => {
    const { status, stdout, stderr } = run(['--in', write('bad-body.jsonl', ['{"id":"x","prompt":42}', '{"id":"y","prompt":"hi"}'])]);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ id: 'x', tier: 'complex', score: 1 });
    expect(lines[1]).toMatchObject({ id: 'y' });
    expect(stderr).toContain('line 1 (id "x")');
  });

  it('classifies special-token text, floods and CRLF/BOM input like any other line', () => {
    const file = path.join(dir, 'odd.jsonl');
    const lines = [
      JSON.stringify({ id: 'eot', prompt: 'print <|endoftext|> please' }),
      JSON.stringify({ id: 'flood', prompt: '\n'.repeat(100_000) }),
      JSON.stringify({ id: 'blob', messages: [{ role: 'user', content: 'x'.repeat(100_000) }] }),
    ];
    writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`);
    const { status, stdout, stderr } = run(['--in', file]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['eot', 'flood', 'blob']);
  });

  it('exits 2 with the line number for a line without a usable id, writing nothing to stdout', () => {
    const { status, stdout, stderr } = run(['--in', write('broken.jsonl', ['{"id":"ok","prompt":"hi"}', '{not json'])]);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('line 2');
  });

  it('exits 2 on a missing --in or an unreadable file', () => {
    expect(run([]).status).toBe(2);
    const missing = run(['--in', path.join(dir, 'nope.jsonl')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read');
  });
});

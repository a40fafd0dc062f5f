import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runParse } from './run-parse.ts';

describe('ops parse', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ops-parse-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (lines: string, args: string[] = [], env: Record<string, string> = {}) => {
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, lines);
    let out = '';
    let err = '';
    const code = await runParse(['--now', '2026-12-09T10:00:00Z', '--in', file, ...args], { env, stdout: (s) => (out += s), stderr: (s) => (err += s) });
    return { code, out: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown), err };
  };

  it('writes exactly one {"id","intent","args"} line per input line, in order, bad lines included', async () => {
    const { code, out, err } = await run(
      [
        '\uFEFF{"id":"a","text":"Route next 10 queries to GPU for testing"}',
        '{"id":2,"text":"Write a haiku about GPUs"}',
        'not json',
        '{"id":"c"}',
        '{"id":"d","text":"Show Lambda Labs usage for this week"}',
      ].join('\r\n'),
    );
    expect(code).toBe(0);
    expect(out).toEqual([
      { id: 'a', intent: 'route.next', args: { n: 10, backend: 'gpu' } },
      { id: 2, intent: 'none', args: {} },
      { id: null, intent: 'none', args: {} },
      { id: 'c', intent: 'none', args: {} },
      { id: 'd', intent: 'usage.report', args: { from: '2026-12-07', to: '2026-12-14' } },
    ]);
    expect(err).toContain('line 3: not valid JSON');
    expect(err).toContain('line 4: "text" must be a string');
  });

  it('reads periods in SOPHIA_BUDGET_TIMEZONE', async () => {
    const { out } = await run('{"id":"y","text":"usage yesterday"}\n', [], { SOPHIA_BUDGET_TIMEZONE: 'Pacific/Kiritimati' });
    expect(out).toEqual([{ id: 'y', intent: 'usage.report', args: { from: '2026-12-09', to: '2026-12-10' } }]);
  });

  it('exits 2 naming a bad --now, an unknown zone or a missing file', async () => {
    let err = '';
    const io = { env: {}, stdout: () => undefined, stderr: (s: string) => (err += s) };
    expect(await runParse(['--now', 'soon', '--in', 'x'], io)).toBe(2);
    expect(await runParse(['--in', join(dir, 'missing.jsonl')], io)).toBe(2);
    expect(await runParse(['--in', 'x', '--tz', 'Mars/Olympus'], io)).toBe(2);
    expect(err).toMatch(/--now must be an ISO 8601 time[\s\S]*cannot read --in[\s\S]*unknown time zone/);
  });
});

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '@sophia/platform/testing';

const cli = join(__dirname, 'sql-cli.ts');
const catalogPath = join(__dirname, '..', '..', '..', 'libs', 'sql-core', 'src', 'fixtures', 'test-catalog.json');
const dir = scratchDir('sql-cli-');

/** Spawns the CLI with Node's own binary; tests run them concurrently to keep the suite short. */
function run(args: string[], input = ''): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(input);
  });
}

describe('sql CLI', () => {
  it('validate: prints one JSON object and exits 0 for valid SQL', async () => {
    const r = await run(['validate', '--catalog', catalogPath, '--dialect', 'snowflake'], 'SELECT name FROM customers\n');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      ok: true,
      errors: [],
      tables: ['SALES.PUBLIC.CUSTOMERS'],
      columns: ['SALES.PUBLIC.CUSTOMERS.NAME'],
      sql: 'SELECT name FROM SALES.PUBLIC.customers LIMIT 1000',
    });
  });
  it('validate: exits 0 with ok=false and the reasons for unsafe SQL', async () => {
    const r = await run(['validate', '--catalog', catalogPath], 'SELECT 1; DROP TABLE orders');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { ok: boolean; errors: string[]; tables: string[]; columns: string[] };
    expect(out.ok).toBe(false);
    expect(out.errors).toContain('multiple statements are not allowed: exactly one statement per request');
    expect(out).toMatchObject({ tables: [], columns: [] });
  });
  it('link: prints table names best first', async () => {
    const r = await run(['link', '--catalog', catalogPath, '--question', 'Which products are in the books category?', '--top', '2']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { tables: string[] };
    expect(out.tables).toHaveLength(2);
    expect(out.tables[0]).toBe('SALES.PUBLIC.PRODUCTS');
  });
  it('batch: one line per input, a bad line gives {id, error} and the batch goes on', async () => {
    const file = join(dir, 'in.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ id: 'a', op: 'validate', catalog: catalogPath, dialect: 'snowflake', sql: 'SELECT id FROM orders' }),
        '{not json',
        JSON.stringify({ id: 'c', op: 'link', catalog: catalogPath, question: 'orders per customer', top: 3 }),
        JSON.stringify({ id: 'd', op: 'validate', catalog: join(dir, 'missing.json'), sql: 'SELECT 1' }),
        JSON.stringify({ id: 'e', op: 'explode', catalog: catalogPath }),
        JSON.stringify({ id: 'f', op: 'validate', catalog: catalogPath }),
        JSON.stringify({ id: 'g', op: 'validate', catalog: catalogPath, sql: 'DELETE FROM orders' }),
      ].join('\n'),
    );
    const r = await run(['batch', '--in', file]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatchObject({ id: 'a', ok: true, tables: ['SALES.PUBLIC.ORDERS'] });
    expect(lines[1]).toMatchObject({ id: null });
    expect(String(lines[1]!.error)).toMatch(/not valid JSON/);
    expect(lines[2]).toMatchObject({ id: 'c' });
    expect(lines[2]!.tables).toHaveLength(3);
    expect(String(lines[3]!.error)).toMatch(/cannot read catalog file/);
    expect(lines[4]).toMatchObject({ id: 'e' });
    expect(String(lines[4]!.error)).toMatch(/^op:/);
    expect(String(lines[5]!.error)).toMatch(/^sql:/);
    expect(lines[6]).toMatchObject({ id: 'g', ok: false });
  });
  it('exits 2 with a message on stderr for usage errors', async () => {
    const [missing, bogus, dialect, top, question, batch] = await Promise.all([
      run(['validate', '--catalog', join(dir, 'nope.json')], 'SELECT 1'),
      run(['validate', '--bogus']),
      run(['validate', '--catalog', catalogPath, '--dialect', 'mysql'], 'SELECT 1'),
      run(['link', '--catalog', catalogPath, '--question', 'x', '--top', 'zero']),
      run(['link', '--catalog', catalogPath]),
      run(['batch', '--in', join(dir, 'none.jsonl')]),
    ]);
    expect(missing.err).toMatch(/cannot read catalog file/);
    expect(missing.out).toBe('');
    expect(dialect.err).toMatch(/unsupported dialect "mysql"/);
    expect(top.err).toMatch(/--top must be a positive integer/);
    expect(question.err).toMatch(/missing --question/);
    expect(batch.err).toMatch(/does not exist/);
    for (const r of [missing, bogus, dialect, top, question, batch]) expect(r.code).toBe(2);
  });
});

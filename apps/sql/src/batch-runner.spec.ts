import { copyFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBatchLine } from './batch-runner.ts';
import { createCatalogCache, parseTop, UsageError } from './cli-ops.ts';
import { scratchDir } from '@sophia/platform/testing';

const fixture = join(__dirname, '..', '..', '..', 'libs', 'sql-core', 'src', 'fixtures', 'test-catalog.json');

describe('catalog cache and batch lines (in process)', () => {
  it('parses a catalog once per path', () => {
    const dir = scratchDir('sql-cache-');
    const path = join(dir, 'c.json');
    copyFileSync(fixture, path);
    const cache = createCatalogCache();
    const first = cache(path);
    unlinkSync(path); // a second read would now fail: the cached index must be served
    expect(cache(path)).toBe(first);
    const line = JSON.stringify({ id: 7, op: 'validate', catalog: path, sql: 'SELECT id FROM orders' });
    expect(runBatchLine(line, cache)).toMatchObject({ id: 7, ok: true });
  });
  it('turns bad lines into {id, error} naming the field', () => {
    const cache = createCatalogCache();
    expect(runBatchLine('[1]', cache)).toMatchObject({ id: null });
    expect(runBatchLine(JSON.stringify({ id: 'x', op: 'link', catalog: fixture }), cache)).toEqual({
      id: 'x',
      error: 'question: Invalid input: expected string, received undefined',
    });
    expect(runBatchLine(JSON.stringify({ id: 'y', op: 'link', catalog: fixture, question: 'q', top: 0 }), cache)).toEqual({
      id: 'y',
      error: 'top must be a positive integer, got 0',
    });
    expect(runBatchLine(JSON.stringify({ id: 'z', op: 'validate', catalog: fixture, dialect: 'oracle', sql: 'SELECT 1' }), cache)).toEqual({
      id: 'z',
      error: 'unsupported dialect "oracle": supported: snowflake',
    });
  });
  it('loads a catalog as it comes: a table without columns is queried unchecked and the answer says so', () => {
    const dir = scratchDir('sql-cache-');
    const path = join(dir, 'c.json');
    writeFileSync(path, JSON.stringify({ tables: [{ name: 'DB.S.LOGS' }, { name: 'DB.S.T', columns: [{ name: 'A', type: 'INT' }] }, { name: '' }] }));
    const reports: string[] = [];
    const cache = createCatalogCache((line) => reports.push(line));
    const out = runBatchLine(JSON.stringify({ id: 1, op: 'validate', catalog: path, sql: 'SELECT l.level FROM logs l JOIN t ON t.a = l.a' }), cache);
    expect(out).toMatchObject({ id: 1, ok: true, tables: ['DB.S.LOGS', 'DB.S.T'] });
    expect(out.warnings).toEqual([expect.stringMatching(/columns of table DB.S.LOGS are unknown/)]);
    expect(reports).toEqual([expect.stringMatching(/1 problem\(s\), loaded without them: \$\.tables\[2\]\.name/)]);
    rmSync(dir, { recursive: true });
  });
  it('parseTop accepts positive integers only', () => {
    expect(parseTop('3', '--top')).toBe(3);
    expect(parseTop(4, 'top')).toBe(4);
    expect(() => parseTop('1.5', '--top')).toThrow(UsageError);
    expect(() => parseTop(-1, 'top')).toThrow('top must be a positive integer, got -1');
  });
});

import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFileWatcher } from './file-watcher.ts';

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
}

describe('createFileWatcher', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'file-watcher-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const parse = (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n)) throw new Error(`not an integer: ${text}`);
    return n;
  };

  it('reloads a file replaced by rename and keeps the last valid value on a bad edit', async () => {
    const file = path.join(dir, 'v.txt');
    writeFileSync(file, '1');
    const errors: string[] = [];
    const watcher = createFileWatcher(file, parse, { debounceMs: 10, onError: (e) => errors.push(e.message) });
    try {
      writeFileSync(`${file}.tmp`, '2');
      renameSync(`${file}.tmp`, file);
      await eventually(() => watcher.current() === 2);
      writeFileSync(file, 'two');
      await eventually(() => errors.some((e) => e.includes('not an integer')));
      expect(watcher.current()).toBe(2);
    } finally {
      watcher.close();
    }
  });

  it('reports a deleted file once, keeps the last value, and picks the file up again when it is back', async () => {
    const file = path.join(dir, 'v.txt');
    writeFileSync(file, '7');
    const errors: string[] = [];
    const watcher = createFileWatcher(file, parse, { debounceMs: 10, missingGraceMs: 50, onError: (e) => errors.push(e.message) });
    try {
      unlinkSync(file);
      await eventually(() => errors.length === 1);
      expect(errors[0]).toContain('the file is gone; the last valid version stays in force');
      expect(watcher.current()).toBe(7);
      writeFileSync(file, '8');
      await eventually(() => watcher.current() === 8);
      expect(errors).toHaveLength(1);
    } finally {
      watcher.close();
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { stateFileBytes, stateTableBytes } from './state-file-sampler.ts';

describe('state file sampler', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'state-sampler-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads 0 for a directory without a state file', () => {
    expect(stateFileBytes(dir)).toEqual({ db: 0, wal: 0 });
  });

  it('sizes the file and its WAL, and attributes the pages to the tables that hold them', () => {
    const db = new DatabaseSync(join(dir, 'sophia.db'));
    db.exec('PRAGMA journal_mode=WAL; CREATE TABLE big (x TEXT); CREATE TABLE small (x TEXT)');
    const insert = db.prepare('INSERT INTO big VALUES (?)');
    for (let i = 0; i < 500; i++) insert.run('x'.repeat(1000));
    db.exec("INSERT INTO small VALUES ('y')");
    const open = stateFileBytes(dir);
    expect(open.wal).toBeGreaterThan(500 * 1000);
    db.close();
    const closed = stateFileBytes(dir);
    expect(closed.db).toBeGreaterThan(500 * 1000);
    const tables = stateTableBytes(dir);
    expect(tables[0]!.name).toBe('big');
    expect(tables[0]!.bytes).toBeGreaterThan(500 * 1000);
    expect(tables.find((t) => t.name === 'small')!.bytes).toBeLessThan(10_000);
  });
});

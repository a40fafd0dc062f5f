import { DatabaseSync } from 'node:sqlite';
import { isStorageFull } from './storage-full.ts';
import { transaction } from './transaction.ts';

describe('isStorageFull', () => {
  it("recognises SQLite's own SQLITE_FULL (a file that cannot grow), and the transaction rolls back cleanly", () => {
    const db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE t (x TEXT)');
    // A page limit is SQLite's in-process stand-in for a full disk: the same error path.
    db.exec('PRAGMA max_page_count = 3');
    let failure: unknown;
    try {
      transaction(db, () => {
        for (let i = 0; i < 100; i++) db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(2000));
      });
    } catch (error) {
      failure = error;
    }
    expect(isStorageFull(failure)).toBe(true);
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(0);
    db.exec('PRAGMA max_page_count = 1000');
    transaction(db, () => db.prepare('INSERT INTO t VALUES (?)').run('after'));
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(1);
  });

  it('recognises ENOSPC and EDQUOT from the file system, also as a cause', () => {
    expect(isStorageFull(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))).toBe(true);
    expect(isStorageFull(new Error('flush failed', { cause: Object.assign(new Error('x'), { code: 'EDQUOT' }) }))).toBe(true);
  });

  it('is false for other failures', () => {
    const db = new DatabaseSync(':memory:');
    let failure: unknown;
    try {
      db.exec('SELECT * FROM missing');
    } catch (error) {
      failure = error;
    }
    expect(isStorageFull(failure)).toBe(false);
    expect(isStorageFull(Object.assign(new Error('locked'), { code: 'EBUSY' }))).toBe(false);
    expect(isStorageFull(undefined)).toBe(false);
    expect(isStorageFull('database or disk is full')).toBe(false);
  });
});

import { DatabaseSync } from 'node:sqlite';
import { transaction } from './transaction.ts';

describe('transaction', () => {
  it('commits the work, or rolls all of it back when it throws', () => {
    const db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE t (n INTEGER)');
    expect(transaction(db, () => db.prepare('INSERT INTO t VALUES (1)').run().changes)).toBe(1);
    expect(() =>
      transaction(db, () => {
        db.prepare('INSERT INTO t VALUES (2)').run();
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(db.isTransaction).toBe(false);
    expect(db.prepare('SELECT n FROM t').all()).toEqual([{ n: 1 }]);
    db.close();
  });
});

import { DatabaseSync } from 'node:sqlite';
import { StateStoreError } from './state-store-error.ts';
import { migrate, schemaVersion, type StoreSchema } from './store-schema.ts';

const v1: StoreSchema = { name: 'things', migrations: [{ version: 1, sql: 'CREATE TABLE things (id TEXT PRIMARY KEY) STRICT' }] };
const v2: StoreSchema = { name: 'things', migrations: [...v1.migrations, { version: 2, sql: "ALTER TABLE things ADD COLUMN colour TEXT NOT NULL DEFAULT 'red'" }] };

describe('migrate', () => {
  let db: DatabaseSync;
  beforeEach(() => {
    db = new DatabaseSync(':memory:');
  });
  afterEach(() => db.close());

  it('applies every step once, in order, and records the version per store', () => {
    expect(migrate(db, v1, 'mem')).toBe(1);
    db.prepare('INSERT INTO things (id) VALUES (?)').run('a');
    expect(migrate(db, v2, 'mem')).toBe(2);
    expect(migrate(db, v2, 'mem')).toBe(2);
    expect(db.prepare('SELECT id, colour FROM things').all()).toEqual([{ id: 'a', colour: 'red' }]);
    expect(schemaVersion(db, 'things')).toBe(2);
    expect(schemaVersion(db, 'other')).toBe(0);
  });

  it('refuses a file whose store is newer than this build, leaving it untouched', () => {
    migrate(db, v2, 'mem');
    const error = (() => {
      try {
        migrate(db, v1, '/data/sophia.db');
      } catch (e) {
        return e as StateStoreError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(StateStoreError);
    expect(error.code).toBe('newer_schema');
    expect(error.message).toContain("/data/sophia.db: store 'things' is at schema version 2, this build knows up to 1");
    expect(schemaVersion(db, 'things')).toBe(2);
  });

  it('rolls a failing step back and stays at the previous version', () => {
    migrate(db, v1, 'mem');
    const broken: StoreSchema = { name: 'things', migrations: [...v1.migrations, { version: 2, sql: 'CREATE TABLE extra (x); ALTER TABLE nowhere ADD y' }] };
    expect(() => migrate(db, broken, 'mem')).toThrow(expect.objectContaining({ code: 'migration_failed', message: expect.stringContaining("store 'things' to version 2") }));
    expect(schemaVersion(db, 'things')).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'extra'").get()).toEqual({ n: 0 });
  });

  it('rejects migrations that are not numbered 1, 2, 3', () => {
    expect(() => migrate(db, { name: 'x', migrations: [{ version: 2, sql: '' }] }, 'mem')).toThrow('migration 1 is numbered 2');
  });
});

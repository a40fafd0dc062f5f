import { createGroupSync } from './group-sync.ts';
import { createFileSyncer } from './datasync-file.ts';
import { openDataDir } from './open-state-database.ts';
import { tempDataDir } from './testing/index.ts';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';

/** A flush the test completes by hand, counting how often it started. */
function manualFlush(): { flush: () => Promise<void>; started: () => number; finish: (error?: Error) => void } {
  const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  let count = 0;
  return {
    flush: () =>
      new Promise<void>((resolve, reject) => {
        count += 1;
        pending.push({ resolve, reject });
      }),
    started: () => count,
    finish: (error) => {
      const next = pending.shift();
      if (!next) throw new Error('no flush running');
      if (error) next.reject(error);
      else next.resolve();
    },
  };
}

const settled = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('createGroupSync', () => {
  it('acknowledges a caller only after a flush that started after its call', async () => {
    const f = manualFlush();
    const sync = createGroupSync(f.flush);
    const seen: string[] = [];
    void sync.durable().then(() => seen.push('first'));
    expect(f.started()).toBe(1);
    void sync.durable().then(() => seen.push('second')); // arrives while flush 1 runs
    f.finish();
    await settled();
    expect(seen).toEqual(['first']);
    expect(f.started()).toBe(2);
    f.finish();
    await settled();
    expect(seen).toEqual(['first', 'second']);
  });

  it('makes every caller that arrived during one flush durable with the next single flush', async () => {
    const f = manualFlush();
    const sync = createGroupSync(f.flush);
    const all = [sync.durable()];
    for (let i = 0; i < 10; i++) all.push(sync.durable());
    f.finish();
    await settled();
    f.finish();
    await Promise.all(all);
    expect(f.started()).toBe(2);
  });

  it('rejects the callers of a failed flush and gives later callers a fresh flush', async () => {
    const f = manualFlush();
    const sync = createGroupSync(f.flush);
    const failed = sync.durable();
    f.finish(new Error('EIO'));
    await expect(failed).rejects.toThrow('EIO');
    const later = sync.durable();
    expect(f.started()).toBe(2);
    f.finish();
    await expect(later).resolves.toBeUndefined();
  });
});

describe('group commit on a data directory', () => {
  let temp: ReturnType<typeof tempDataDir>;
  beforeEach(() => {
    temp = tempDataDir();
  });
  afterEach(() => temp.remove());
  const SCHEMA = { name: 'grouped', migrations: [{ version: 1, sql: 'CREATE TABLE grouped_rows (n INTEGER PRIMARY KEY) STRICT' }] };

  it('commits without an fsync (NORMAL) and flushes the WAL in durable(); other handles stay FULL', async () => {
    const grouped = openDataDir({ dataDir: temp.dir }, [SCHEMA], { groupCommit: true });
    const plain = openDataDir({ dataDir: temp.dir }, [SCHEMA]);
    expect(grouped.db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 1 });
    expect(plain.db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
    grouped.db.prepare('INSERT INTO grouped_rows (n) VALUES (?)').run(1);
    await grouped.durable();
    expect(plain.db.prepare('SELECT count(*) AS n FROM grouped_rows').get()).toEqual({ n: 1 });
    await expect(plain.durable()).resolves.toBeUndefined();
    grouped.close();
    plain.close();
  });

  it('leaves a directory configured for NORMAL at NORMAL (group commit has nothing to add)', async () => {
    const normal = openDataDir({ dataDir: temp.dir, sync: 'normal' }, [SCHEMA], { groupCommit: true });
    expect(normal.db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 1 });
    await expect(normal.durable()).resolves.toBeUndefined();
    normal.close();
  });

  it('flushes an existing file through one kept descriptor and treats a missing one as nothing pending', async () => {
    const path = join(temp.dir, 'f');
    const syncer = createFileSyncer(path);
    await expect(syncer.sync()).resolves.toBeUndefined(); // missing: nothing pending
    writeFileSync(path, 'x');
    await expect(syncer.sync()).resolves.toBeUndefined();
    await expect(syncer.sync()).resolves.toBeUndefined();
    syncer.close();
    await expect(createFileSyncer(join(temp.dir, 'f', 'not-a-dir')).sync()).rejects.toThrow('ENOTDIR');
  });
});

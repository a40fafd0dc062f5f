import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { openDataDir, openStateDatabase } from './open-state-database.ts';
import { tempDataDir } from './testing/index.ts';

const HOLDER = join(__dirname, 'testing', 'hold-data-dir.ts');
const SCHEMA = { name: 'holder', migrations: [{ version: 1, sql: 'CREATE TABLE holder_rows (n INTEGER PRIMARY KEY) STRICT' }] };

interface Holder {
  readonly child: ChildProcess;
  readonly line: { held: boolean; pid?: number; error?: string };
}

/** Starts hold-data-dir.ts in its own process and waits for its one status line. */
async function hold(dir: string, rows = 0, env: Record<string, string> = {}): Promise<Holder> {
  const child = spawn(process.execPath, [HOLDER, dir, String(rows)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`holder exited ${code} before reporting`)));
  });
  return { child, line: JSON.parse(first) as Holder['line'] };
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('the data directory', () => {
  let temp: ReturnType<typeof tempDataDir>;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    temp = tempDataDir();
  });
  afterEach(async () => {
    for (const c of children.splice(0)) await kill(c);
    temp.remove();
  });
  const start = async (rows = 0, env: Record<string, string> = {}): Promise<Holder> => {
    const h = await hold(temp.dir, rows, env);
    children.push(h.child);
    return h;
  };

  it('has one owner: a second process is refused naming the directory and the holder, and takes over once the holder is killed', async () => {
    const first = await start();
    expect(first.line).toEqual({ held: true, pid: first.child.pid });
    const second = await start();
    expect(second.line.held).toBe(false);
    expect(second.line.error).toContain(`data directory ${temp.dir} is in use by process ${first.child.pid}`);
    expect(() => acquireDataDirLock(temp.dir)).toThrow(expect.objectContaining({ code: 'data_dir_locked' }));
    await kill(first.child);
    const third = await start();
    expect(third.line).toEqual({ held: true, pid: third.child.pid });
  });

  it("lets a mesh's children share the directory with the mesh owner, and only with it", async () => {
    const owner = acquireDataDirLock(temp.dir);
    try {
      const child = await start(1, { SOPHIA_DATA_DIR_OWNER: String(process.pid) });
      expect(child.line.held).toBe(true);
      const stranger = await start(0, { SOPHIA_DATA_DIR_OWNER: '1' });
      expect(stranger.line.error).toContain(`is in use by process ${process.pid}`);
    } finally {
      owner.release();
    }
    const orphan = await start(0, { SOPHIA_DATA_DIR_OWNER: String(process.pid + 100000) });
    expect(orphan.line.error).toContain('the mesh owner has exited');
  });

  it('shares one lock among the services of one process, released when the last closes', async () => {
    const a = openDataDir({ dataDir: temp.dir }, [SCHEMA]);
    const b = openDataDir({ dataDir: temp.dir }, [SCHEMA]);
    a.close();
    expect((await start()).line.error).toContain(`is in use by process ${process.pid}`);
    b.close();
    expect((await start()).line.held).toBe(true);
  });

  it('keeps every committed row when the writer is SIGKILLed, replaying the WAL it left', async () => {
    const writer = await start(200);
    expect(writer.line.held).toBe(true);
    expect(statSync(join(temp.dir, 'sophia.db-wal')).size).toBeGreaterThan(0);
    await kill(writer.child);
    expect(existsSync(join(temp.dir, 'sophia.db-wal'))).toBe(true);
    const reopened = openDataDir({ dataDir: temp.dir }, [SCHEMA]);
    expect(reopened.db.prepare('SELECT count(*) AS n, max(n) AS last FROM holder_rows').get()).toEqual({ n: 200, last: 200 });
    reopened.close();
  });

  it('refuses a corrupt file and leaves it untouched', () => {
    const path = join(temp.dir, 'sophia.db');
    writeFileSync(path, 'this is not a database, but it is somebody’s data'.repeat(200));
    const before = readFileSync(path);
    expect(() => openDataDir({ dataDir: temp.dir }, [SCHEMA])).toThrow(
      expect.objectContaining({ code: 'corrupt', message: expect.stringContaining(`state file ${path} is not a SQLite database or is damaged`) }),
    );
    expect(readFileSync(path).equals(before)).toBe(true);
    // The lock was released with the failure: the directory can be opened once the file is fixed.
    expect(() => acquireDataDirLock(temp.dir).release()).not.toThrow();
  });

  it('refuses a file written by a newer version', () => {
    const path = join(temp.dir, 'sophia.db');
    const newer = openStateDatabase({ path, schemas: [{ name: 'holder', migrations: [...SCHEMA.migrations, { version: 2, sql: 'CREATE TABLE later (x)' }] }] });
    newer.close();
    expect(() => openDataDir({ dataDir: temp.dir }, [SCHEMA])).toThrow(expect.objectContaining({ code: 'newer_schema' }));
    const raw = new DatabaseSync(path);
    expect(raw.prepare("SELECT version FROM store_schema WHERE store = 'holder'").get()).toEqual({ version: 2 });
    raw.close();
  });

  it('opens in WAL mode with synchronous FULL by default', () => {
    const opened = openDataDir({ dataDir: temp.dir }, [SCHEMA]);
    expect(opened.db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(opened.db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
    opened.close();
  });
});

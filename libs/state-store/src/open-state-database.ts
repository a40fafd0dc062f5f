// Opens the embedded state file: WAL journal (readers never block the writer, and a process killed
// mid-write leaves a WAL that the next open replays), `synchronous` FULL by default so a commit is on
// disk before the caller acknowledges anything, a busy timeout for the processes of one mesh sharing
// the file, then every store's migrations. Corrupt files and files from a newer version are refused
// with a StateStoreError and left exactly as they are.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { prepareDataDir, STATE_FILE } from './data-dir.ts';
import { StateStoreError } from './state-store-error.ts';
import { isStorageFull } from './storage-full.ts';
import { migrate, type StoreSchema } from './store-schema.ts';
import { createFileSyncer } from './datasync-file.ts';
import { createGroupSync } from './group-sync.ts';

/**
 * `full`: the WAL is fsynced at every commit — an acknowledged write survives a process kill, an OS
 * crash and a power cut (≈0.3 ms wall per commit on this machine's disk).
 * `normal`: fsync only at checkpoints — survives a process kill (SIGKILL, OOM), may lose the last
 * commits on an OS crash or power cut; ≈5× cheaper per commit.
 */
export type SyncMode = 'full' | 'normal';

/** An open state file (or `:memory:` database) with every requested store migrated. */
export interface StateDatabase {
  readonly db: DatabaseSync;
  /** The file path, or ':memory:'. */
  readonly path: string;
  /**
   * Resolves when every commit made on this handle so far is as durable as `sync` promises. Immediate
   * unless the handle was opened with `groupCommit` (then: one shared WAL fdatasync, off the event loop).
   */
  durable(): Promise<void>;
  /** Closes this handle (the file closes when its last handle in the process does). */
  close(): void;
}

/** Options for {@link openStateDatabase}. */
export interface OpenStateDatabaseOptions {
  /** A file path, or ':memory:' (tests). */
  readonly path: string;
  readonly schemas: readonly StoreSchema[];
  /** @default 'full' */
  readonly sync?: SyncMode;
  /** How long a write waits for another process's write to finish. @default 5000 */
  readonly busyTimeoutMs?: number;
  /**
   * Group commit (with `sync: 'full'` on a file): commits return without an fsync and `durable()`
   * flushes the WAL for every commit made before it, once for a whole batch, in the thread pool. Only
   * for a handle whose every write that must be durable awaits `durable()` before it is acknowledged.
   * @default false
   */
  readonly groupCommit?: boolean;
}

function isCorruption(error: unknown): boolean {
  return /not a database|malformed|corrupt/i.test((error as Error).message);
}

/**
 * Opens (creating if absent) one SQLite file and migrates `schemas`. Does not take the directory lock;
 * services use {@link openDataDir}.
 * @throws StateStoreError `corrupt`, `newer_schema`, `migration_failed` or `data_dir_unusable`
 */
export function openStateDatabase(options: OpenStateDatabaseOptions): StateDatabase {
  const { path } = options;
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { timeout: options.busyTimeoutMs ?? 5000 });
  } catch (error) {
    throw new StateStoreError('data_dir_unusable', `state file ${path}: cannot open: ${(error as Error).message}`, { cause: error });
  }
  const sync = options.sync ?? 'full';
  // Group commit keeps FULL's guarantee with NORMAL's commits: the WAL is flushed by `durable()`.
  const grouped = options.groupCommit === true && sync === 'full' && path !== ':memory:';
  try {
    if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${grouped ? 'NORMAL' : sync.toUpperCase()}`);
    db.exec('PRAGMA foreign_keys = ON');
    for (const schema of options.schemas) migrate(db, schema, path);
  } catch (error) {
    db.close();
    if (error instanceof StateStoreError) throw error;
    if (isCorruption(error)) {
      throw new StateStoreError(
        'corrupt',
        `state file ${path} is not a SQLite database or is damaged (${(error as Error).message}): it is left untouched — move it aside or restore a backup, then start again`,
        { cause: error },
      );
    }
    if (isStorageFull(error)) {
      throw new StateStoreError('disk_full', `state file ${path}: the filesystem is full (${(error as Error).message}); free space there, then start again`, { cause: error });
    }
    throw new StateStoreError('data_dir_unusable', `state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const wal = grouped ? createFileSyncer(`${path}-wal`) : undefined;
  const durable = wal ? createGroupSync(() => wal.sync()).durable : () => Promise.resolve();
  return {
    db,
    path,
    durable,
    close: () => {
      wal?.close();
      if (db.isOpen) db.close();
    },
  };
}

/** Where and how the services of this process keep their embedded state (parsed config). */
export interface DataDirOptions {
  /** SOPHIA_DATA_DIR (undefined = ./data, created when missing). */
  readonly dataDir: string | undefined;
  /** SOPHIA_DATA_SYNC. @default 'full' */
  readonly sync?: SyncMode;
  /** SOPHIA_DATA_DIR_OWNER: set by the mesh process for its children. */
  readonly meshOwnerPid?: number | undefined;
}

/**
 * The directory's state file for one store (or several), under the directory lock: prepares the
 * directory, takes (or borrows) the lock, opens `<dir>/sophia.db` and migrates `schemas`. Each call
 * opens its own connection (cheap); `close` releases its share of the lock.
 * @throws StateStoreError naming the directory or file and what to do
 */
export function openDataDir(options: DataDirOptions, schemas: readonly StoreSchema[], open: { readonly groupCommit?: boolean } = {}): StateDatabase {
  const dir = prepareDataDir(options.dataDir);
  const lock = acquireDataDirLock(dir, options.meshOwnerPid);
  let opened: StateDatabase;
  try {
    opened = openStateDatabase({ path: join(dir, STATE_FILE), schemas, ...(options.sync ? { sync: options.sync } : {}), ...open });
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    db: opened.db,
    path: opened.path,
    durable: opened.durable,
    close() {
      opened.close();
      lock.release();
    },
  };
}

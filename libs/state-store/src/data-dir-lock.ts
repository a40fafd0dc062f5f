// One owner per data directory. The lock is a small SQLite file (sophia.lock) whose write lock the
// owner holds for its whole life (an open BEGIN IMMEDIATE): the kernel releases it when the process
// dies, however it dies, so a SIGKILLed owner never leaves a stale lock. The owner's pid is committed
// to the file first, so a refused process can name who holds the directory.
//
// A mesh of several processes shares the directory through its owner: the process that starts the
// mesh (npm start) takes the lock and passes its pid to its children as SOPHIA_DATA_DIR_OWNER; a child
// finding the lock held by exactly that pid uses the directory without taking the lock itself. A
// process started on its own (a ledger alone) takes the lock itself. Services in one process share
// one lock (reference counted).
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StateStoreError } from './state-store-error.ts';
import { isStorageFull } from './storage-full.ts';

/** Env key through which a mesh owner tells its children that it holds the data directory. */
export const DATA_DIR_OWNER_KEY = 'SOPHIA_DATA_DIR_OWNER';
/** The lock file inside the data directory. */
export const LOCK_FILE = 'sophia.lock';

/** A held (or, for a mesh child, borrowed) data directory; `release` once per acquire. */
export interface DataDirLock {
  readonly dir: string;
  /** Pid of the process holding the lock (this one, or the mesh owner for a child). */
  readonly ownerPid: number;
  release(): void;
}

interface Held {
  readonly db: DatabaseSync | undefined;
  readonly ownerPid: number;
  refs: number;
}

// Per process: several services in one process share the directory's lock.
const held = new Map<string, Held>();

interface OwnerRow {
  pid: number;
  since: string;
  command: string;
}

function readOwner(db: DatabaseSync): OwnerRow | undefined {
  try {
    return db.prepare('SELECT pid, since, command FROM owner LIMIT 1').get() as OwnerRow | undefined;
  } catch {
    return undefined;
  }
}

function isBusy(error: unknown): boolean {
  return /locked|busy/i.test((error as Error).message);
}

function lockedError(dir: string, owner: OwnerRow | undefined): StateStoreError {
  const who = owner === undefined ? 'another process' : `process ${owner.pid} (${owner.command}, since ${owner.since})`;
  return new StateStoreError(
    'data_dir_locked',
    `data directory ${dir} is in use by ${who}: one mesh (or ledger) per directory — stop that process, or give this one another SOPHIA_DATA_DIR`,
  );
}

/**
 * Takes (or, with `meshOwnerPid`, borrows from the mesh owner) the directory's lock.
 * @param meshOwnerPid SOPHIA_DATA_DIR_OWNER: the pid of the mesh process that holds the lock for its children
 * @throws StateStoreError `data_dir_locked` naming the directory and the holding process
 */
export function acquireDataDirLock(dir: string, meshOwnerPid?: number): DataDirLock {
  const existing = held.get(dir);
  const handle = (entry: Held): DataDirLock => {
    let released = false;
    return {
      dir,
      ownerPid: entry.ownerPid,
      release() {
        if (released) return;
        released = true;
        entry.refs -= 1;
        if (entry.refs > 0) return;
        held.delete(dir);
        entry.db?.close();
      },
    };
  };
  if (existing !== undefined) {
    existing.refs += 1;
    return handle(existing);
  }
  const unusable = (error: unknown): StateStoreError =>
    isStorageFull(error)
      ? new StateStoreError('disk_full', `data directory ${dir}: the filesystem is full (cannot take its lock ${LOCK_FILE}: ${(error as Error).message}); free space there, then start again`, { cause: error })
      : new StateStoreError('data_dir_unusable', `data directory ${dir}: cannot take its lock ${LOCK_FILE}: ${(error as Error).message}`, { cause: error });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(join(dir, LOCK_FILE), { timeout: 0 });
  } catch (error) {
    throw unusable(error);
  }
  /** The lock is held by someone else: borrow it when that is our mesh owner, else refuse naming them. */
  const borrowOrRefuse = (): DataDirLock => {
    const owner = readOwner(db);
    db.close();
    if (meshOwnerPid === undefined || owner?.pid !== meshOwnerPid) throw lockedError(dir, owner);
    const borrowed: Held = { db: undefined, ownerPid: meshOwnerPid, refs: 1 };
    held.set(dir, borrowed);
    return handle(borrowed);
  };
  const begin = (): boolean => {
    try {
      db.exec('BEGIN IMMEDIATE');
      return true;
    } catch (error) {
      if (isBusy(error)) return false;
      db.close();
      throw unusable(error);
    }
  };
  if (!begin()) return borrowOrRefuse();
  if (meshOwnerPid !== undefined && meshOwnerPid !== process.pid) {
    db.exec('ROLLBACK');
    db.close();
    throw new StateStoreError(
      'data_dir_locked',
      `data directory ${dir}: ${DATA_DIR_OWNER_KEY}=${meshOwnerPid} says the mesh process holds it, but no process does — the mesh owner has exited; restart the mesh`,
    );
  }
  try {
    db.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER NOT NULL, since TEXT NOT NULL, command TEXT NOT NULL)');
    db.exec('DELETE FROM owner');
    const command = process.argv.slice(1, 3).join(' ').slice(0, 200);
    db.prepare('INSERT INTO owner (pid, since, command) VALUES (?, ?, ?)').run(process.pid, new Date().toISOString(), command);
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    db.close();
    throw unusable(error);
  }
  // Held from here until this process releases it or dies. Another process can slip in between the
  // commit above and this begin; then it owns the directory and this one is refused.
  if (!begin()) return borrowOrRefuse();
  const entry: Held = { db, ownerPid: process.pid, refs: 1 };
  held.set(dir, entry);
  return handle(entry);
}

import { open } from 'node:fs/promises';

/**
 * fdatasync of the file at `path` (opened afresh, so a file replaced since the last call is still the
 * one flushed), in libuv's thread pool. A missing file has nothing pending: for a SQLite WAL that
 * means every commit was checkpointed into the database file, which SQLite syncs itself.
 */
export async function datasyncFile(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

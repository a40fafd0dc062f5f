import { close, fdatasync, open } from 'node:fs';

/** fdatasync of one file through a descriptor kept open between calls (see {@link createFileSyncer}). */
export interface FileSyncer {
  /** Flushes the file's written data to disk, in libuv's thread pool. */
  sync(): Promise<void>;
  /** Closes the descriptor (after the flush running, if any). */
  close(): void;
}

/**
 * Flushes the file at `path` with one descriptor opened on first use and kept: no open/close per
 * flush on the event loop. For a SQLite WAL that is sound while the database has a connection open
 * (SQLite deletes the WAL only when its last connection closes). A missing file has nothing pending —
 * every commit was checkpointed into the database file, which SQLite syncs itself — and is looked
 * for again at the next call; a failed flush closes the descriptor so the next call starts afresh.
 */
export function createFileSyncer(path: string): FileSyncer {
  let fd: number | undefined;
  const drop = (): void => {
    if (fd !== undefined) close(fd, () => undefined);
    fd = undefined;
  };
  const opened = (): Promise<number | undefined> =>
    fd !== undefined
      ? Promise.resolve(fd)
      : new Promise((resolve, reject) =>
          open(path, 'r', (err, handle) => {
            if (err) return err.code === 'ENOENT' ? resolve(undefined) : reject(err);
            fd = handle;
            resolve(handle);
          }),
        );
  return {
    async sync() {
      const handle = await opened();
      if (handle === undefined) return;
      await new Promise<void>((resolve, reject) =>
        fdatasync(handle, (err) => {
          if (!err) return resolve();
          drop();
          reject(err);
        }),
      );
    },
    close: drop,
  };
}

// Telling "the disk (or quota) under the state file is full" apart from other store failures, so a
// caller can refuse precisely — nothing can be recorded or spooled, so nothing may be served as if it
// were — and needs no restart to recover: SQLite rolls the failed transaction back, the file stays
// consistent, and the next transaction succeeds once space returns.

/** SQLite's primary result code for "database or disk is full" (also a full max_page_count). */
const SQLITE_FULL = 13;
const FULL_ERRNO = new Set(['ENOSPC', 'EDQUOT']);

/**
 * Whether `error` (a node:sqlite error carrying `errcode`, or a Node fs error carrying `code`, or one
 * wrapping either as its `cause`) means the storage is full.
 */
export function isStorageFull(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { errcode, code } = e as { errcode?: unknown; code?: unknown };
    if (typeof errcode === 'number' && (errcode & 0xff) === SQLITE_FULL) return true;
    if (typeof code === 'string' && FULL_ERRNO.has(code)) return true;
  }
  return false;
}

// Every failure of the embedded store that an operator must act on, as one error class with a code,
// so callers (and tests) can tell "another process owns this directory" from "the file is corrupt"
// without parsing messages. Messages name the path and what to do; nothing is ever replaced silently.

/** What went wrong with the data directory or the state file. */
export type StateStoreErrorCode =
  /** SOPHIA_DATA_DIR cannot be created, is not a directory, or is not writable. */
  | 'data_dir_unusable'
  /** Another live process owns the data directory. */
  | 'data_dir_locked'
  /** The file is not a SQLite database or is damaged. */
  | 'corrupt'
  /** The filesystem under the data directory is full (or over quota): nothing can be written. */
  | 'disk_full'
  /** The file was written by a newer Sophia (a store's schema version is above what this build knows). */
  | 'newer_schema'
  /** A migration failed; the store stays at its previous version (the migration's transaction rolled back). */
  | 'migration_failed';

/** A precise, actionable failure of the embedded store. */
export class StateStoreError extends Error {
  readonly code: StateStoreErrorCode;
  /** Its message says everything the operator needs: a host prints it as one line, without a stack. */
  readonly operatorFacing = true;
  constructor(code: StateStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateStoreError';
    this.code = code;
  }
}

export { acquireDataDirLock, DATA_DIR_OWNER_KEY, LOCK_FILE, type DataDirLock } from './data-dir-lock.ts';
export { DATA_DIR_KEY, DEFAULT_DATA_DIR, prepareDataDir, STATE_FILE } from './data-dir.ts';
export { openDataDir, openStateDatabase, type DataDirOptions, type OpenStateDatabaseOptions, type StateDatabase, type SyncMode } from './open-state-database.ts';
export { dataDirOptions, stateStoreConfigShape } from './state-store-config.ts';
export { StateStoreError, type StateStoreErrorCode } from './state-store-error.ts';
export { isStorageFull } from './storage-full.ts';
export { migrate, schemaVersion, type StoreMigration, type StoreSchema } from './store-schema.ts';
export { transaction } from './transaction.ts';

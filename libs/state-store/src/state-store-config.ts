// The configuration keys of the embedded store, as a zod shape each service spreads into its own
// config schema (parsed once at start with the rest), so every service reads them the same way.
import { z } from 'zod';
import type { DataDirOptions } from './open-state-database.ts';

/** SOPHIA_DATA_DIR, SOPHIA_DATA_SYNC and the mesh-internal SOPHIA_DATA_DIR_OWNER. */
export const stateStoreConfigShape = {
  /** Directory of the embedded state file (and the DuckDB warehouse). Unset: ./data, created when missing. */
  SOPHIA_DATA_DIR: z.string().min(1).optional(),
  /** `full` (default): every commit fsynced before it is acknowledged; `normal`: survives process kills only. */
  SOPHIA_DATA_SYNC: z.enum(['full', 'normal']).default('full'),
  /** Set by the process that starts a mesh and holds the data directory's lock, for its children. */
  SOPHIA_DATA_DIR_OWNER: z.coerce.number().int().positive().optional(),
};

/** The parsed keys as {@link openDataDir} options. */
export function dataDirOptions(config: {
  SOPHIA_DATA_DIR?: string | undefined;
  SOPHIA_DATA_SYNC: 'full' | 'normal';
  SOPHIA_DATA_DIR_OWNER?: number | undefined;
}): DataDirOptions {
  return { dataDir: config.SOPHIA_DATA_DIR, sync: config.SOPHIA_DATA_SYNC, meshOwnerPid: config.SOPHIA_DATA_DIR_OWNER };
}

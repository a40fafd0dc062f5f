import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** Name of the embedded state file in a data directory (libs/state-store). */
const STATE_FILE = 'sophia.db';

/** Sizes of the embedded state file and its write-ahead log, in bytes (0 when absent). */
export interface StateFileBytes {
  readonly db: number;
  readonly wal: number;
}

function bytesOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * The state file's size now: what the soak samples beside RSS, because disk must stay as flat as
 * memory (the file grows with the raw usage kept until SOPHIA_USAGE_RAW_HOURS compacts it; the
 * WAL should stay near SQLite's automatic-checkpoint size).
 */
export function stateFileBytes(dataDir: string): StateFileBytes {
  const db = join(dataDir, STATE_FILE);
  return { db: bytesOf(db), wal: bytesOf(`${db}-wal`) };
}

/** Bytes one table or index of the state file occupies. */
export interface TableBytes {
  readonly name: string;
  readonly bytes: number;
}

/**
 * Bytes per table and index of the state file (SQLite's dbstat), largest first — which store
 * grows. Read-only, after the mesh has stopped (its owner released the directory).
 */
export function stateTableBytes(dataDir: string): TableBytes[] {
  const db = new DatabaseSync(join(dataDir, STATE_FILE), { readOnly: true });
  try {
    const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as Array<{ name: string; bytes: number }>;
    return rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) }));
  } finally {
    db.close();
  }
}

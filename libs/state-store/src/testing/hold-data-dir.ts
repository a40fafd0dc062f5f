// A process that opens a data directory the way a service does, optionally writes rows, says so on
// stdout, and then holds it until killed — for lock, crash and WAL-recovery tests.
// Usage: node hold-data-dir.ts <dir> <rows>   (env SOPHIA_DATA_DIR_OWNER is honoured)
import { openDataDir } from '../open-state-database.ts';
import { transaction } from '../transaction.ts';

const HOLDER_SCHEMA = { name: 'holder', migrations: [{ version: 1, sql: 'CREATE TABLE holder_rows (n INTEGER PRIMARY KEY) STRICT' }] };

const [dir, rows] = process.argv.slice(2);
if (dir !== undefined) {
  try {
    const owner = process.env['SOPHIA_DATA_DIR_OWNER'];
    const opened = openDataDir({ dataDir: dir, meshOwnerPid: owner === undefined ? undefined : Number(owner) }, [HOLDER_SCHEMA]);
    const insert = opened.db.prepare('INSERT INTO holder_rows (n) VALUES (?)');
    for (let n = 1; n <= Number(rows ?? 0); n++) transaction(opened.db, () => insert.run(n));
    process.stdout.write(`${JSON.stringify({ held: true, pid: process.pid })}\n`);
    setInterval(() => undefined, 60_000);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ held: false, error: (error as Error).message })}\n`);
    process.exit(3);
  }
}

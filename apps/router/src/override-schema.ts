// The router's overrides table in the embedded state file (@sophia/state-store).
import type { StoreSchema } from '@sophia/state-store';

/** Schema of the override store; append a migration to change it, never edit a released one. */
export const OVERRIDE_SCHEMA: StoreSchema = {
  name: 'router-overrides',
  migrations: [
    {
      version: 1,
      sql: `
        CREATE TABLE router_overrides (
          id TEXT PRIMARY KEY,
          json TEXT NOT NULL,
          remaining INTEGER,
          expires_at_ms INTEGER,
          used_up_until_ms INTEGER
        ) STRICT;
      `,
    },
    {
      // A version bumped by every change to the table, so a router re-reads and decodes the
      // overrides only when one changed (by this process or another sharing the file).
      version: 2,
      sql: `
        CREATE TABLE router_overrides_version (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          v INTEGER NOT NULL
        ) STRICT;
        INSERT INTO router_overrides_version (id, v) VALUES (1, 0);
        CREATE TRIGGER router_overrides_inserted AFTER INSERT ON router_overrides
          BEGIN UPDATE router_overrides_version SET v = v + 1 WHERE id = 1; END;
        CREATE TRIGGER router_overrides_updated AFTER UPDATE ON router_overrides
          BEGIN UPDATE router_overrides_version SET v = v + 1 WHERE id = 1; END;
        CREATE TRIGGER router_overrides_deleted AFTER DELETE ON router_overrides
          BEGIN UPDATE router_overrides_version SET v = v + 1 WHERE id = 1; END;
      `,
    },
  ],
};

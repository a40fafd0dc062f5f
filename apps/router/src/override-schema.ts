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
  ],
};

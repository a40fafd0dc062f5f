// The router's breaker transition table in the embedded state file (@sophia/state-store).
import type { StoreSchema } from '@sophia/state-store';

/** Schema of the breaker history; append a migration to change it, never edit a released one. */
export const BREAKER_HISTORY_SCHEMA: StoreSchema = {
  name: 'router-breaker-history',
  migrations: [
    {
      version: 1,
      sql: `
        CREATE TABLE router_breaker_transitions (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          target TEXT NOT NULL,
          from_state TEXT NOT NULL,
          to_state TEXT NOT NULL,
          at_ms INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX router_breaker_transitions_at ON router_breaker_transitions (at_ms);
      `,
    },
  ],
};

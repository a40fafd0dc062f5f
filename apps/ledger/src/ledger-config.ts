// The ledger's own configuration keys (the port keys and shared keys come from @sophia/platform's
// runService). Parsed once at start from the injected environment.
import { z } from 'zod';

/** Env key of the gRPC port, and its default. */
export const LEDGER_PORT_KEY = 'SOPHIA_LEDGER_PORT';
export const LEDGER_DEFAULT_PORT = 50053;

/** Ledger-specific keys; see apps/ledger/README.md. */
export const ledgerConfigSchema = z.object({
  /** redis:// or rediss:// URL; when set, usage is kept in Redis and shared by every replica. */
  SOPHIA_REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Catalog file to load and watch; unset = the catalog bundled with @sophia/price-catalog. */
  SOPHIA_CATALOG_PATH: z.string().min(1).optional(),
  /** Key prefix in Redis (keep one {hash tag} for Redis Cluster). */
  SOPHIA_LEDGER_REDIS_PREFIX: z.string().min(1).default('{sophia:ledger}:'),
});

/** Parsed ledger configuration. */
export type LedgerConfig = z.infer<typeof ledgerConfigSchema>;

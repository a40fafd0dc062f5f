// The ledger's own configuration keys (the port keys and shared keys come from @sophia/platform's
// runService). Parsed once at start from the injected environment.
import { z } from 'zod';
import { redisTargetSchema } from '@sophia/platform/redis';
import { stateStoreConfigShape } from '@sophia/state-store';
import { parseBaselineInstances } from './gpu-baseline.ts';

/** Env key of the gRPC port, and its default. */
export const LEDGER_PORT_KEY = 'SOPHIA_LEDGER_PORT';
export const LEDGER_DEFAULT_PORT = 50053;

function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The DuckDB file name in the data directory, used when SOPHIA_WAREHOUSE_PATH is unset. */
export const DEFAULT_WAREHOUSE_FILE = 'warehouse.duckdb';

/** Ledger-specific keys; see apps/ledger/README.md. */
export const ledgerConfigSchema = z.object({
  /** SOPHIA_DATA_DIR, SOPHIA_DATA_SYNC, SOPHIA_DATA_DIR_OWNER: the embedded state file (@sophia/state-store). */
  ...stateStoreConfigShape,
  /**
   * Days raw usage events (and with them their request-id idempotency keys) are kept; older ones are
   * pruned hourly. Reports over whole days keep coming from the daily roll-ups, which are kept.
   */
  SOPHIA_USAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(35),
  /**
   * Hours raw usage events (and their request-id idempotency keys) are kept as they are; older ones
   * are compacted into per-bucket summaries that every report reads with the same answers, so the
   * state file stops growing once this window has filled. A commit retried after it would count
   * again: keep it far above any retry horizon. Fractions allowed (at least one minute).
   */
  SOPHIA_USAGE_RAW_HOURS: z.coerce.number().min(1 / 60).max(87_600).default(24),
  /** Minutes per compaction bucket (a divisor of a day, so buckets never cross midnight); reports over compacted time resolve to whole buckets. */
  SOPHIA_USAGE_BUCKET_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1440)
    .refine((m) => 1440 % m === 0, 'must divide 1440 (a day) exactly, e.g. 1, 5, 15, 60')
    .default(60),
  /** redis://, rediss:// or redis+sentinel://host:port,…/primary; when set, usage is kept in Redis and shared by every replica. */
  SOPHIA_REDIS_URL: redisTargetSchema.optional(),
  /**
   * New requests while Redis is unreachable: `serve` grants reservations unchecked (budgets catch up
   * when Redis returns), `refuse` refuses them. Usage of requests already served is never lost either
   * way: it is spooled in SOPHIA_DATA_DIR and replayed exactly once when Redis returns.
   */
  SOPHIA_REDIS_OUTAGE: z.enum(['serve', 'refuse']).default('serve'),
  /** Catalog file to load and watch; unset = the catalog bundled with @sophia/price-catalog. */
  SOPHIA_CATALOG_PATH: z.string().min(1).optional(),
  /**
   * Replicas that must hold a usage record (Redis WAIT) before the ledger counts it as stored in Redis;
   * until they do it is also kept in the local spool and replayed, so a failover to a replica that had
   * not received it loses nothing. Unset: 1 with redis+sentinel:// (Sentinel fails over to a replica,
   * and asynchronous replication would otherwise drop the last acknowledged records), 0 otherwise (a
   * single server has no replica to wait for). Not supported with Redis Cluster.
   */
  SOPHIA_LEDGER_REDIS_REPLICA_ACKS: z.coerce.number().int().min(0).max(16).optional(),
  /** How long a record waits for those replicas before it is spooled instead. @default 500 */
  SOPHIA_LEDGER_REDIS_REPLICA_ACK_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).default(500),
  /** Key prefix in Redis (keep one {hash tag} for Redis Cluster). */
  SOPHIA_LEDGER_REDIS_PREFIX: z.string().min(1).default('{sophia:ledger}:'),
  /** IANA time zone whose midnights / month starts reset budgets. */
  SOPHIA_BUDGET_TIMEZONE: z.string().min(1).refine(knownTimeZone, 'unknown IANA time zone').default('UTC'),
  /** How long a reservation holds budget when its request neither commits nor releases (crashed caller). */
  SOPHIA_BUDGET_RESERVATION_TTL_MS: z.coerce.number().int().positive().max(86_400_000).default(300_000),
  /**
   * DuckDB warehouse file (ignored when Snowflake is configured). Unset: `<SOPHIA_DATA_DIR>/warehouse.duckdb`,
   * and a file that cannot be opened only disables the sink, with an error log (the durable log keeps the
   * events for a later start).
   */
  SOPHIA_WAREHOUSE_PATH: z.string().min(1).optional(),
  /** `in-process`: this process drains the log into the warehouse; `none`: run warehouse-sink-main.ts instead. */
  SOPHIA_WAREHOUSE_SINK: z.enum(['in-process', 'none']).default('in-process'),
  /** Log entries pending this long on a dead sink are taken over by a live one. */
  SOPHIA_WAREHOUSE_CLAIM_IDLE_MS: z.coerce.number().int().positive().default(30_000),
  /** Snowflake warehouse (key-pair auth) instead of DuckDB when the account is set. */
  SOPHIA_SNOWFLAKE_ACCOUNT: z.string().min(1).optional(),
  SOPHIA_SNOWFLAKE_USER: z.string().min(1).optional(),
  SOPHIA_SNOWFLAKE_PRIVATE_KEY_PATH: z.string().min(1).optional(),
  SOPHIA_SNOWFLAKE_DATABASE: z.string().min(1).optional(),
  SOPHIA_SNOWFLAKE_SCHEMA: z.string().min(1).optional(),
  SOPHIA_SNOWFLAKE_WAREHOUSE: z.string().min(1).optional(),
  SOPHIA_SNOWFLAKE_ROLE: z.string().min(1).optional(),
  /** Flat monthly cost of the always-on GPU fleet the savings report compares against. */
  SOPHIA_GPU_BASELINE_USD_PER_MONTH: z.coerce.number().nonnegative().max(1e9).default(6444),
  /** Instead of the flat amount: `type:count[:hours per month]`, comma separated, priced from the catalog. */
  SOPHIA_GPU_BASELINE_INSTANCES: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined) return;
      try {
        parseBaselineInstances(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  /** Lambda Cloud API key: GPU $/hour are then read live from its instance-types endpoint. */
  SOPHIA_LAMBDA_API_KEY: z.string().min(1).optional(),
  SOPHIA_LAMBDA_API_URL: z.url({ protocol: /^https?$/ }).default('https://cloud.lambda.ai'),
  /** How often live GPU prices are refreshed. */
  SOPHIA_LAMBDA_REFRESH_MS: z.coerce.number().int().min(1000).default(3_600_000),
}).superRefine((config, ctx) => {
  // Raw events past the retention are pruned, so a raw window longer than it would delete events
  // before they were ever compacted: reports would silently lose them.
  const retentionHours = config.SOPHIA_USAGE_RETENTION_DAYS * 24;
  if (config.SOPHIA_USAGE_RAW_HOURS > retentionHours) {
    ctx.addIssue({
      code: 'custom',
      path: ['SOPHIA_USAGE_RAW_HOURS'],
      message: `${config.SOPHIA_USAGE_RAW_HOURS} hours is longer than SOPHIA_USAGE_RETENTION_DAYS (${config.SOPHIA_USAGE_RETENTION_DAYS} days = ${retentionHours} hours): raw events would be pruned before they are compacted; set SOPHIA_USAGE_RAW_HOURS to at most ${retentionHours} or raise SOPHIA_USAGE_RETENTION_DAYS`,
    });
  }
});

/** Parsed ledger configuration. */
export type LedgerConfig = z.infer<typeof ledgerConfigSchema>;

/**
 * The replica acknowledgement records wait for (SOPHIA_LEDGER_REDIS_REPLICA_ACKS resolved against the
 * Redis target), or undefined for none. Throws, naming the key, for Redis Cluster: WAIT must reach the
 * node that took the write, which a cluster client does not promise for a key-less command.
 */
export function replicaAcksOf(config: LedgerConfig): { replicas: number; timeoutMs: number } | undefined {
  const target = config.SOPHIA_REDIS_URL;
  if (target === undefined) return undefined;
  const replicas = config.SOPHIA_LEDGER_REDIS_REPLICA_ACKS ?? (target.kind === 'sentinel' ? 1 : 0);
  if (replicas === 0) return undefined;
  if (target.kind === 'cluster') throw new Error('SOPHIA_LEDGER_REDIS_REPLICA_ACKS: not supported with Redis Cluster (set it to 0 or leave it unset)');
  return { replicas, timeoutMs: config.SOPHIA_LEDGER_REDIS_REPLICA_ACK_TIMEOUT_MS };
}

import { z } from 'zod';
import { baseConfigSchema, configValues } from '@sophia/platform';
import { redisTargetSchema } from '@sophia/platform/redis';
import { stateStoreConfigShape } from '@sophia/state-store';
import { isKnownTimeZone } from '@sophia/ops-interpreter';
import { parseApiKeys, type ApiKeyEntry } from './api-key-auth.ts';
import { corsOriginProblem, type CorsOrigins } from './cors-policy.ts';
import { DEFAULT_WEB_DIR } from './static-assets.ts';
import { rateLimitConfigSchema } from './rate-limit/rate-limits.ts';

const LOOPBACK = '127.0.0.1';


/**
 * Every key the gateway reads, parsed once by its host (which also owns SOPHIA_GATEWAY_PORT,
 * SOPHIA_GATEWAY_METRICS_PORT and the addresses of the services it calls: gateway-module.ts). Without `SOPHIA_API_KEYS` the gateway
 * runs in local mode (one generated key) and refuses to bind anything but 127.0.0.1, so an
 * unauthenticated-by-accident gateway can never be reachable from the network.
 */
export const gatewayConfigSchema = baseConfigSchema
  .extend({
    /** IANA zone of report dates and "this week" / "last month" in operator commands (the ledger's budget zone). @default UTC */
    SOPHIA_BUDGET_TIMEZONE: z.string().min(1).refine(isKnownTimeZone, 'unknown IANA time zone').default('UTC'),
    /** How long an operator plan may be confirmed. @default 600000 (10 minutes) */
    SOPHIA_OPS_PLAN_TTL_MS: configValues.durationMs(600_000),
    /**
     * Operator text the rules cannot read (not a command, or a tie) is asked of an LLM through the
     * mesh's own router; its tool call is validated by the same schemas and only ever answered as a
     * plan to confirm or a clarification. Turn on only with a real LLM upstream. @default false
     */
    SOPHIA_OPS_LLM_FALLBACK: configValues.flag(false),
    /** The model the fallback asks (a catalog id, or "auto" for the router's choice). @default auto */
    SOPHIA_OPS_LLM_MODEL: z.string().min(1).max(128).default('auto'),
    /** Redis for operator plans shared by gateway replicas; unset = the embedded state file under SOPHIA_DATA_DIR. */
    SOPHIA_REDIS_URL: redisTargetSchema.optional(),
    ...stateStoreConfigShape,
    SOPHIA_API_KEYS: z
      .string()
      .optional()
      .transform((spec, ctx): ApiKeyEntry[] | undefined => {
        if (spec === undefined) return undefined;
        const { entries, problems } = parseApiKeys(spec);
        for (const message of problems) ctx.addIssue({ code: 'custom', message });
        return entries;
      }),
    /**
     * A file of API keys (`key:tenant[:scopes]`, one per line or comma-separated, `#` comments) re-read
     * whenever it changes: rotation without a restart (both keys valid during the overlap). Adds to
     * SOPHIA_API_KEYS; a version that does not parse is refused and the last valid keys stay.
     */
    SOPHIA_API_KEYS_FILE: z.string().trim().min(1).optional(),
    /**
     * Local mode only: the key to use instead of generating one, so a gateway restarted by
     * `npm start`'s supervisor keeps the key its clients already hold.
     */
    SOPHIA_GATEWAY_LOCAL_API_KEY: z.string().regex(/^[A-Za-z0-9._-]{16,128}$/, 'expected 16–128 letters, digits, ".", "_" or "-"').optional(),
    /**
     * Rate limits per tenant and per API key (JSON; see docs/configuration.md): `{"<tenant>|*": {"tenant":
     * {"requests_per_minute", "tokens_per_minute", "concurrent_requests"}, "per_key": {…}}}`. Unset = none.
     */
    SOPHIA_RATE_LIMITS: rateLimitConfigSchema,
    /**
     * Runaway protection's request-rate signal: the rate (per minute) below which a key or tenant is
     * never slowed; its own baseline counts above it. 0 = no request-rate signal (the default: rate
     * alone cannot tell a load test from a loop — rate limits are for that). @default 0
     */
    SOPHIA_RUNAWAY_FLOOR_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(0),
    /**
     * Runaway protection's spend signal, on by default: spend (USD per minute) below which a key or
     * tenant is never slowed (5× max(baseline, floor) slows, 20× stops); 0 = no spend signal. The
     * default keeps one replica at full speed on the dearest catalog offer under the slow line from
     * a cold start (docs/operations.md). @default 5
     */
    SOPHIA_RUNAWAY_SPEND_FLOOR_USD_PER_MINUTE: z.coerce.number().min(0).max(1_000_000).default(5),
    /**
     * One prompt repeated within seconds by one key (and not answered by the cache): `detect` reports
     * it (metric, log, `x-sophia-runaway: detect`), `enforce` slows then stops the key, `off` ignores
     * it. @default detect
     */
    SOPHIA_RUNAWAY_REPEATS: z.enum(['detect', 'enforce', 'off']).default('detect'),
    /**
     * How long a deterministic answer (temperature 0 or a seed) is served from the response cache;
     * 0 = no cache. On by default: the caller asked for the same answer to the same request, and a
     * replay says so (`cache_hit`, `x-sophia-cache: hit`, cost 0). 5 min bounds how stale a replay can
     * be after a catalog or model change. @default 300000
     */
    SOPHIA_CACHE_TTL_MS: z.coerce.number().int().min(0).max(30 * 24 * 3600 * 1000).default(300_000),
    /** Most answers the embedded response cache keeps (Redis bounds itself with its own eviction). @default 10000 */
    SOPHIA_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
    /** Largest accepted request body (REST and Connect/gRPC messages). @default 1 MiB */
    SOPHIA_GATEWAY_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    /**
     * How long a client may take to send its request head: a silent connection, or headers trickled
     * byte by byte (slowloris), is closed when it passes (408 on HTTP/1.1). @default 30000
     */
    SOPHIA_GATEWAY_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(30_000),
    /** Deadline for one request end to end; clients may ask for less. @default 120000 */
    SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS: configValues.durationMs(120_000),
    /**
     * Browser origins allowed to call the gateway (CORS): comma-separated `scheme://host[:port]`, or `*`.
     * Unset = no CORS headers (browsers on other origins are refused; server-side clients unaffected).
     */
    /** The built web app the gateway serves at its root. @default apps/web/dist of this checkout */
    SOPHIA_WEB_DIR: z.string().trim().min(1).default(DEFAULT_WEB_DIR),
    SOPHIA_CORS_ORIGINS: configValues
      .list()
      .optional()
      .transform((origins, ctx): CorsOrigins | undefined => {
        if (origins === undefined || origins.length === 0) return undefined;
        if (origins.includes('*')) {
          if (origins.length > 1) ctx.addIssue({ code: 'custom', message: "'*' allows every origin and cannot be combined with others" });
          return '*';
        }
        for (const origin of origins) {
          const problem = corsOriginProblem(origin);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
        }
        return origins;
      }),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.SOPHIA_API_KEYS === undefined && cfg.SOPHIA_API_KEYS_FILE === undefined && cfg.SOPHIA_BIND_HOST !== LOOPBACK) {
      ctx.addIssue({
        code: 'custom',
        path: ['SOPHIA_BIND_HOST'],
        message: `refusing to bind ${cfg.SOPHIA_BIND_HOST} without SOPHIA_API_KEYS or SOPHIA_API_KEYS_FILE (local mode binds ${LOOPBACK} only); set SOPHIA_API_KEYS=key:tenant,… or SOPHIA_BIND_HOST=${LOOPBACK}`,
      });
    }
  });

/** The parsed gateway configuration. */
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

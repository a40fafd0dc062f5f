import { z } from 'zod';

/**
 * Limits of one scope (an API key, or a whole tenant). Each is optional: unset means unlimited in
 * that dimension. Requests and tokens are per rolling minute (a token bucket refilled continuously,
 * so a client that waits `Retry-After` always gets in); concurrency counts requests in flight.
 */
export interface RateLimits {
  readonly requestsPerMinute?: number | undefined;
  /** Prompt tokens plus `max_tokens` at admission, corrected to the actual usage when the answer ends. */
  readonly tokensPerMinute?: number | undefined;
  readonly concurrentRequests?: number | undefined;
}

/** A tenant's limits: on the tenant as a whole, and on each of its API keys separately. */
export interface TenantRateLimits {
  readonly tenant: RateLimits;
  readonly perKey: RateLimits;
}

/** No limit at all (a tenant nobody configured). */
export const UNLIMITED: TenantRateLimits = { tenant: {}, perKey: {} };

const positive = z.number().int().positive().max(1_000_000_000);

/** The JSON form of one scope's limits, as config and the operator API spell it. */
export const rateLimitsSchema = z
  .object({
    requests_per_minute: positive.optional(),
    tokens_per_minute: positive.optional(),
    concurrent_requests: positive.optional(),
  })
  .strict();

/** The JSON form of one tenant's limits. */
export const tenantRateLimitsSchema = z
  .object({ tenant: rateLimitsSchema.optional(), per_key: rateLimitsSchema.optional() })
  .strict()
  .transform(
    (v): TenantRateLimits => ({
      tenant: fromJson(v.tenant),
      perKey: fromJson(v.per_key),
    }),
  );

function fromJson(v: z.infer<typeof rateLimitsSchema> | undefined): RateLimits {
  return { requestsPerMinute: v?.requests_per_minute, tokensPerMinute: v?.tokens_per_minute, concurrentRequests: v?.concurrent_requests };
}

/** The JSON form of {@link TenantRateLimits} (what config, the store and the operator API show). */
export function tenantRateLimitsJson(limits: TenantRateLimits): Record<string, Record<string, number>> {
  const one = (l: RateLimits): Record<string, number> =>
    Object.fromEntries(
      Object.entries({ requests_per_minute: l.requestsPerMinute, tokens_per_minute: l.tokensPerMinute, concurrent_requests: l.concurrentRequests }).filter(
        (e): e is [string, number] => e[1] !== undefined,
      ),
    );
  return { tenant: one(limits.tenant), per_key: one(limits.perKey) };
}

/**
 * `SOPHIA_RATE_LIMITS`: a JSON object from tenant name (or `"*"`, every tenant not named) to
 * `{"tenant": {...}, "per_key": {...}}` with `requests_per_minute`, `tokens_per_minute`,
 * `concurrent_requests`. Unset = no limits.
 */
export const rateLimitConfigSchema = z
  .string()
  .optional()
  .transform((raw, ctx): ReadonlyMap<string, TenantRateLimits> => {
    if (raw === undefined || raw.trim() === '') return new Map();
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON object {"<tenant>|*": {"tenant": {...}, "per_key": {...}}}' });
      return z.NEVER;
    }
    const parsed = z.record(z.string().regex(/^(\*|[A-Za-z0-9._-]{1,64})$/, 'tenant must be "*" or match [A-Za-z0-9._-]{1,64}'), tenantRateLimitsSchema).safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `${issue.path.join('.') || '(root)'}: ${issue.message}` });
      return z.NEVER;
    }
    return new Map(Object.entries(parsed.data));
  });

/** The limits that apply to `tenant`: its own entry, else the `"*"` default, else none. */
export function limitsFor(config: ReadonlyMap<string, TenantRateLimits>, tenant: string): TenantRateLimits {
  return config.get(tenant) ?? config.get('*') ?? UNLIMITED;
}

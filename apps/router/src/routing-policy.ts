import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { CATALOG_TIERS, type CatalogTier } from '@sophia/price-catalog';

const share = z.number().min(0).max(1);
const tierMap = <T extends z.ZodType>(value: T) => z.strictObject({ simple: value.optional(), balanced: value.optional(), complex: value.optional() });

const thresholdsSchema = z
  .strictObject({
    /** Quality target this level stands for, so a numeric target can interpolate between levels. */
    target: share,
    /** Score (P(small tier not good enough)) from which the balanced tier is used. */
    balanced: share,
    /** Score from which the complex tier is used. */
    complex: share,
  })
  .refine((t) => t.balanced <= t.complex, { message: 'balanced must be <= complex', path: ['balanced'] });

const levelName = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'level names are lower-case words');
/** A quality target: a named level or a number in [0, 1]. */
const qualityTarget = z.union([levelName, share]);
const stepDown = share.nullable();

const providerName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'provider names are the catalog’s lower-case names');
/** Serverless provider preferences (OpenRouter's `provider` object); a request's own fields win. */
const providerPrefsSchema = z.strictObject({
  order: z.array(providerName).optional(),
  only: z.array(providerName).optional(),
  ignore: z.array(providerName).optional(),
  sort: z.enum(['price', 'latency', 'throughput']).optional(),
  max_price: z.strictObject({ prompt: z.number().min(0).optional(), completion: z.number().min(0).optional() }).optional(),
  allow_fallbacks: z.boolean().optional(),
});

/** The policy file's shape (YAML or JSON); see apps/router/README.md for every key. */
export const routingPolicySchema = z
  .strictObject({
    version: z.literal(1),
    quality: z
      .strictObject({
        default: qualityTarget.optional(),
        levels: z.record(levelName, thresholdsSchema),
      })
      .default({ levels: {} }),
    gpu_share: tierMap(share).default({}),
    budget: z.strictObject({ step_down_at_utilisation: stepDown.optional() }).default({}),
    gpu_capacity: z
      .strictObject({
        prefer_idle_gpu_for: z.array(z.enum(CATALOG_TIERS)).default([]),
        idle_when_running_below: z.number().min(0).default(1),
        avoid_when_waiting_above: z.number().min(0).optional(),
      })
      .default({ prefer_idle_gpu_for: [], idle_when_running_below: 1 }),
    /** Default serverless provider preferences for every tenant. */
    providers: providerPrefsSchema.optional(),
    tenants: z
      .record(
        z.string().min(1),
        z.strictObject({
          quality: qualityTarget.optional(),
          step_down_at_utilisation: stepDown.optional(),
          /** This tenant's serverless provider preferences (over the policy's `providers`). */
          providers: providerPrefsSchema.optional(),
        }),
      )
      .default({}),
  })
  .superRefine((p, ctx) => {
    const known = new Set(Object.keys(p.quality.levels));
    const check = (target: string | number | undefined, path: PropertyKey[]): void => {
      if (typeof target === 'string' && !known.has(target)) {
        ctx.addIssue({ code: 'custom', path, message: `unknown quality level '${target}' (levels: ${[...known].join(', ') || 'none'})` });
      }
      if (typeof target === 'number' && known.size === 0) ctx.addIssue({ code: 'custom', path, message: 'a numeric quality target needs quality.levels to interpolate' });
    };
    check(p.quality.default, ['quality', 'default']);
    // A higher quality target must never send fewer prompts up: its thresholds may not rise. Two levels
    // with one target would make a numeric target ambiguous.
    const levels = Object.entries(p.quality.levels).sort(([, a], [, b]) => a.target - b.target);
    for (let i = 1; i < levels.length; i++) {
      const [lowName, low] = levels[i - 1]!;
      const [name, level] = levels[i]!;
      if (level.target === low.target) {
        ctx.addIssue({ code: 'custom', path: ['quality', 'levels', name, 'target'], message: `same target as level '${lowName}' (${low.target})` });
      } else if (level.balanced > low.balanced || level.complex > low.complex) {
        ctx.addIssue({
          code: 'custom',
          path: ['quality', 'levels', name],
          message: `target ${level.target} is above level '${lowName}' (${low.target}) but its thresholds are higher: a higher target must not use the larger tiers less`,
        });
      }
    }
    for (const [tenant, t] of Object.entries(p.tenants)) check(t.quality, ['tenants', tenant, 'quality']);
  });

/** A validated routing policy. */
export type RoutingPolicy = z.infer<typeof routingPolicySchema>;
/** Provider preferences as the policy file writes them. */
export type PolicyProviderPrefs = z.infer<typeof providerPrefsSchema>;
/** Score thresholds of one quality level. */
export type QualityLevel = RoutingPolicy['quality']['levels'][string];
export type { CatalogTier };

/** The policy used when no file is configured: the router's behaviour before policies existed. */
export const EMPTY_POLICY: RoutingPolicy = routingPolicySchema.parse({ version: 1 });

/** Raised for an invalid policy file; `issues` name each bad key by its path (e.g. `tenants.acme.quality`). */
export class PolicyValidationError extends Error {
  readonly issues: readonly string[];
  constructor(origin: string, issues: readonly string[]) {
    super(`invalid routing policy ${origin}:\n  - ${issues.join('\n  - ')}`);
    this.name = 'PolicyValidationError';
    this.issues = issues;
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('') || '(root)';
}

/** Parses policy text (YAML, which includes JSON); throws PolicyValidationError naming every bad path. */
export function parseRoutingPolicy(text: string, origin = 'policy'): RoutingPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new PolicyValidationError(origin, [`not valid YAML/JSON: ${(err as Error).message}`]);
  }
  const result = routingPolicySchema.safeParse(raw);
  if (!result.success) throw new PolicyValidationError(origin, result.error.issues.map((i) => `${pathOf(i.path)}: ${i.message}`));
  return result.data;
}

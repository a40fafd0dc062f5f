import { z } from 'zod';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/**
 * One dense feature: standardised as (value − mean) / scale, clamped to [lo, hi] (the range seen in
 * training, so a prompt unlike any training prompt cannot push a weight far outside what was fitted),
 * times weight. lo/hi are optional for models trained before clamping existed.
 */
const denseWeightSchema = z
  .object({ mean: finite, scale: finite.refine((s) => s > 0, 'must be > 0'), weight: finite, lo: finite.optional(), hi: finite.optional() })
  .refine((w) => w.lo === undefined || w.hi === undefined || w.lo <= w.hi, { message: 'lo must be <= hi', path: ['lo'] });

/**
 * The committed weights file's shape. Validated on load so a hand-edited or truncated file fails with
 * the offending field named instead of producing NaN scores at serving time.
 */
export const classifierModelSchema = z
  .object({
    version: z.string().min(1),
    source: z.string().min(1),
    command: z.string().min(1),
    target: z.string().min(1),
    bias: finite,
    /** Platt scaling of the raw logit onto P(weak model wrong): score = σ(slope · logit + intercept). */
    calibration: z.object({ slope: finite, intercept: finite }),
    /**
     * Platt scaling per prompt kind (`multiple_choice` or `open`, see `promptKind`), used instead of
     * `calibration` when the kind is present: the two kinds are taught different labels in training, so
     * their logits mean different things and one shared mapping would mis-state P(weak wrong) for both.
     */
    calibrationByKind: z
      .object({ multiple_choice: z.object({ slope: finite, intercept: finite }).optional(), open: z.object({ slope: finite, intercept: finite }).optional() })
      .strict()
      .optional(),
    dense: z.record(z.string(), denseWeightSchema),
    words: z.record(z.string(), finite),
    thresholds: z.object({ balanced: finite, complex: finite }),
    evaluation: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((m) => m.thresholds.balanced <= m.thresholds.complex, {
    message: 'thresholds.balanced must be <= thresholds.complex',
    path: ['thresholds'],
  });

/** A trained logistic-regression router: standardised dense features plus a word vocabulary. */
export type ClassifierModel = z.infer<typeof classifierModelSchema>;

/** Validates untrusted JSON as a {@link ClassifierModel}; throws an Error naming the first bad field. */
export function parseClassifierModel(json: unknown): ClassifierModel {
  const result = classifierModelSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'model' : issue.path.join('.');
    throw new Error(`invalid classifier model: ${where}: ${issue?.message ?? 'unknown problem'}`);
  }
  return result.data;
}

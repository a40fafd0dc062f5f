/** A scored prompt with its two correctness labels: the unit the routing metrics work on. */
export interface ScoredExample {
  readonly score: number;
  readonly weakCorrect: boolean;
  readonly strongCorrect: boolean;
}

/** A point of the routing curve: share of prompts sent to the strong model and the resulting quality. */
export interface CurvePoint {
  readonly strongShare: number;
  readonly quality: number;
}

/** RouteLLM's headline numbers for one router on one dataset. */
export interface RouterMetrics {
  readonly count: number;
  readonly weakQuality: number;
  readonly strongQuality: number;
  /** Smallest strong-call share reaching `qualityFraction` × strong quality (lower is better). */
  readonly strongShareAtTarget: number;
  /** 1 − strongShareAtTarget: the cost cut versus all-strong when weak calls are ~free (RouteLLM's convention). */
  readonly costCutAtTarget: number;
  /** Area under performance-gap-recovered vs strong share: 0.5 random, 1.0 perfect. */
  readonly apgr: number;
}

/**
 * The threshold sweep: prompts sorted by descending score go to the strong model first. Tied scores
 * move together (one segment), so the piecewise-linear curve is the expectation under random
 * tie-breaking and a constant-score router scores exactly like a random one.
 */
export function routingCurve(items: ReadonlyArray<ScoredExample>): CurvePoint[] {
  const n = items.length;
  if (n === 0) throw new Error('routingCurve needs at least one example');
  if (items.some((e) => Number.isNaN(e.score))) throw new Error('routingCurve: score must not be NaN');
  const sorted = [...items].sort((a, b) => b.score - a.score);
  let quality = sorted.reduce((sum, e) => sum + (e.weakCorrect ? 1 : 0), 0) / n;
  const points: CurvePoint[] = [{ strongShare: 0, quality }];
  let i = 0;
  while (i < n) {
    const score = sorted[i]!.score;
    while (i < n && sorted[i]!.score === score) {
      const e = sorted[i]!;
      quality += ((e.strongCorrect ? 1 : 0) - (e.weakCorrect ? 1 : 0)) / n;
      i++;
    }
    points.push({ strongShare: i / n, quality });
  }
  return points;
}

/** First strong share on the curve (linearly interpolated) where quality reaches `target`; 1 if never. */
export function strongShareForQuality(curve: ReadonlyArray<CurvePoint>, target: number): number {
  const eps = 1e-12;
  const first = curve[0];
  if (first !== undefined && first.quality >= target - eps) return first.strongShare;
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1]!;
    const b = curve[i]!;
    if (b.quality >= target - eps) {
      if (b.quality === a.quality) return b.strongShare;
      return a.strongShare + ((target - a.quality) / (b.quality - a.quality)) * (b.strongShare - a.strongShare);
    }
  }
  return 1;
}

/** Trapezoidal area under PGR = (quality − weak)/(strong − weak) over the strong share. */
export function apgr(curve: ReadonlyArray<CurvePoint>): number {
  const weak = curve[0]!.quality;
  const strong = curve.at(-1)!.quality;
  if (strong === weak) return Number.NaN;
  let area = 0;
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1]!;
    const b = curve[i]!;
    area += ((b.strongShare - a.strongShare) * (a.quality - weak + (b.quality - weak))) / 2;
  }
  return area / (strong - weak);
}

/** All metrics for one router; `qualityFraction` is the share of strong quality to keep (0.95). */
export function evaluateRouter(items: ReadonlyArray<ScoredExample>, qualityFraction = 0.95): RouterMetrics {
  const curve = routingCurve(items);
  const weakQuality = curve[0]!.quality;
  const strongQuality = curve.at(-1)!.quality;
  const share = strongShareForQuality(curve, qualityFraction * strongQuality);
  return {
    count: items.length,
    weakQuality,
    strongQuality,
    strongShareAtTarget: share,
    costCutAtTarget: 1 - share,
    apgr: apgr(curve),
  };
}

/** The expected metrics of a router that sends a random share to the strong model (quality is linear). */
export function randomRouterMetrics(items: ReadonlyArray<ScoredExample>, qualityFraction = 0.95): RouterMetrics {
  return evaluateRouter(
    items.map((e) => ({ ...e, score: 0 })),
    qualityFraction,
  );
}

/**
 * The score cut-point that reaches `qualityFraction` of strong quality with the fewest strong calls:
 * prompts scoring ≥ the returned value go to the strong side. Used to store tier thresholds with the
 * weights (computed on training predictions, never on the test split).
 */
export function thresholdForQuality(items: ReadonlyArray<ScoredExample>, qualityFraction: number): number {
  const n = items.length;
  if (n === 0) throw new Error('thresholdForQuality needs at least one example');
  if (items.some((e) => Number.isNaN(e.score))) throw new Error('thresholdForQuality: score must not be NaN');
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const strong = sorted.reduce((s, e) => s + (e.strongCorrect ? 1 : 0), 0) / n;
  let quality = sorted.reduce((s, e) => s + (e.weakCorrect ? 1 : 0), 0) / n;
  const target = qualityFraction * strong - 1e-12;
  if (quality >= target) return Math.min(1, sorted[0]!.score + 1e-9);
  for (let i = 0; i < n; i++) {
    const e = sorted[i]!;
    quality += ((e.strongCorrect ? 1 : 0) - (e.weakCorrect ? 1 : 0)) / n;
    const nextScore = sorted[i + 1]?.score;
    if (quality >= target && nextScore !== e.score) return e.score;
  }
  return sorted[n - 1]!.score;
}

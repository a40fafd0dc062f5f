/**
 * Platt scaling: fits slope and intercept so σ(slope · logit + intercept) matches 0/1 outcomes by
 * log-loss (Newton's method on two parameters). Used on out-of-fold logits so the served score is a
 * calibrated P(weak model wrong) even though the model is trained on a ranking-oriented soft label.
 */
export function fitCalibration(
  logits: ReadonlyArray<number>,
  outcomes: ReadonlyArray<number>,
  weights?: ReadonlyArray<number>,
): { slope: number; intercept: number } {
  if (logits.length !== outcomes.length || logits.length === 0) throw new Error('fitCalibration needs equal, non-empty inputs');
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < logits.length; i++) {
      const x = logits[i]!;
      const w = weights?.[i] ?? 1;
      const p = 1 / (1 + Math.exp(-(a * x + b)));
      const r = w * (p - outcomes[i]!);
      const h = w * p * (1 - p);
      ga += r * x;
      gb += r;
      haa += h * x * x;
      hab += h * x;
      hbb += h;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-12)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { slope: a, intercept: b };
}

import { createHash } from 'node:crypto';

/** One training example: sparse binary features and its class. */
export interface Example {
  readonly features: readonly string[];
  readonly label: string;
}

/** A trained multinomial logistic regression over sparse binary features. */
export interface SoftmaxModel {
  readonly classes: readonly string[];
  readonly weights: ReadonlyMap<string, Float64Array>;
  readonly bias: Float64Array;
}

/** Training settings; the defaults are fixed, not tuned to any evaluation set. */
export interface TrainOptions {
  readonly epochs?: number;
  readonly learningRate?: number;
  readonly l2?: number;
}

/** Class probabilities for a feature set, best first. */
export function predictSoftmax(model: SoftmaxModel, features: readonly string[]): Array<{ label: string; p: number }> {
  const scores = Float64Array.from(model.bias);
  for (const f of features) {
    const w = model.weights.get(f);
    if (w) for (let k = 0; k < scores.length; k++) scores[k]! += w[k]!;
  }
  const max = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return model.classes.map((label, k) => ({ label, p: exp[k]! / sum })).sort((a, b) => b.p - a.p);
}

/**
 * Trains by stochastic gradient descent on the cross-entropy with L2 shrinkage, visiting examples
 * in an order fixed by a hash of their features (deterministic: the same corpus always gives the
 * same model, with no random generator).
 */
export function trainSoftmax(examples: readonly Example[], options: TrainOptions = {}): SoftmaxModel {
  const { epochs = 30, learningRate = 0.2, l2 = 1e-4 } = options;
  const classes = [...new Set(examples.map((e) => e.label))].sort();
  const index = new Map(classes.map((c, k) => [c, k]));
  const weights = new Map<string, Float64Array>();
  const bias = new Float64Array(classes.length);
  const order = [...examples].sort((a, b) => key(a).localeCompare(key(b)));
  for (let epoch = 0; epoch < epochs; epoch++) {
    const rate = learningRate / (1 + epoch * 0.1);
    for (const ex of order) {
      const model = { classes, weights, bias };
      const probs = new Map(predictSoftmax(model, ex.features).map((r) => [r.label, r.p]));
      const target = index.get(ex.label)!;
      for (let k = 0; k < classes.length; k++) {
        const grad = (probs.get(classes[k]!) ?? 0) - (k === target ? 1 : 0);
        bias[k]! -= rate * grad;
        for (const f of ex.features) {
          let w = weights.get(f);
          if (!w) weights.set(f, (w = new Float64Array(classes.length)));
          w[k]! -= rate * (grad + l2 * w[k]!);
        }
      }
    }
  }
  return { classes, weights, bias };
}

function key(e: Example): string {
  return createHash('sha1').update(`${e.label}|${e.features.join(' ')}`).digest('hex');
}

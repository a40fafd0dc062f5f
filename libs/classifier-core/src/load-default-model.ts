import { parseClassifierModel, type ClassifierModel } from './classifier-model.ts';
import weights from './model/weights.json' with { type: 'json' };

let cached: ClassifierModel | undefined;

/**
 * The committed, trained weights (src/model/weights.json, written by `npm run train -w
 * @sophia/classifier-train`). Imported as a JSON module rather than read from disk so it resolves the
 * same way under Node's native ESM and under Jest's CommonJS transform, with no path arithmetic.
 * Validated once and cached.
 */
export function loadDefaultModel(): ClassifierModel {
  cached ??= parseClassifierModel(weights);
  return cached;
}

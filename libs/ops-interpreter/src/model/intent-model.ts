import { freshSet } from '../eval/fresh-set.ts';
import { labelledSet, LABEL_NOW, LABEL_TIME_ZONE, type LabelledPhrase } from '../eval/labelled-set.ts';
import { readPhrase } from '../read-phrase.ts';
import { intentFeatures } from './intent-features.ts';
import { predictSoftmax, trainSoftmax, type Example, type SoftmaxModel } from './softmax-regression.ts';

/** An intent classifier: class probabilities ("none" included) for a read phrase, best first. */
export interface IntentModel {
  predict(features: readonly string[]): Array<{ label: string; p: number }>;
}

/** Features of a labelled phrase, read exactly as the interpreter reads text. */
export function exampleOf(item: LabelledPhrase): Example {
  const read = readPhrase(item.text, new Date(LABEL_NOW), LABEL_TIME_ZONE);
  return { features: intentFeatures(read.phrase, read.period !== undefined), label: item.intent };
}

/** Trains an intent model on labelled phrases (the cross-validation trains one per fold). */
export function trainIntentModel(items: readonly LabelledPhrase[]): IntentModel {
  const model: SoftmaxModel = trainSoftmax(items.map(exampleOf));
  return { predict: (features) => predictSoftmax(model, features) };
}

/** The training corpus: the labelled templates (both halves) and the session-4 fresh set; never the held-out sets. */
export function trainingCorpus(): LabelledPhrase[] {
  return [...labelledSet(), ...freshSet()];
}

let shared: IntentModel | undefined;

/** The model trained on the whole corpus, once per process on first use (deterministic, well under a second). */
export function defaultIntentModel(): IntentModel {
  shared ??= trainIntentModel(trainingCorpus());
  return shared;
}

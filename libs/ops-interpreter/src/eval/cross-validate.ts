import { createHash } from 'node:crypto';
import { exampleOf, trainIntentModel } from '../model/intent-model.ts';
import { evaluateInterpreter, type SliceScore } from './evaluate-interpreter.ts';
import type { LabelledPhrase } from './labelled-set.ts';

/** One fold's scores: rules alone, rules with the fold's model, and the model alone (intent only). */
export interface FoldScore {
  readonly fold: number;
  readonly size: number;
  readonly rules: { readonly commands: SliceScore; readonly negatives: SliceScore };
  readonly hybrid: { readonly commands: SliceScore; readonly negatives: SliceScore };
  readonly modelIntent: SliceScore;
}

/**
 * The group a phrase belongs to: every expansion of one template shares it ("usage.report-3-0",
 * "-3-1", "-3-2" → "usage.report-3"), so a phrasing pattern is never both trained on and tested.
 */
export function groupOf(item: LabelledPhrase): string {
  return /^[a-z]+\.[a-z]+-\d+-\d+$/.test(item.id) ? item.id.replace(/-\d+$/, '') : item.id;
}

const foldOf = (group: string, k: number): number => createHash('sha1').update(group).digest().readUInt32BE(0) % k;

/**
 * Grouped k-fold cross-validation of the trained intent model on the training corpus: each fold's
 * model is trained on the other folds' groups and scored on its own, together with the rules.
 */
export function crossValidate(items: readonly LabelledPhrase[], k = 5): FoldScore[] {
  const folds: FoldScore[] = [];
  for (let fold = 0; fold < k; fold++) {
    const test = items.filter((i) => foldOf(groupOf(i), k) === fold);
    const train = items.filter((i) => foldOf(groupOf(i), k) !== fold);
    const model = trainIntentModel(train);
    const rules = evaluateInterpreter(test, null);
    const hybrid = evaluateInterpreter(test, model);
    const right = test.filter((i) => model.predict(exampleOf(i).features)[0]?.label === i.intent).length;
    folds.push({
      fold,
      size: test.length,
      rules: { commands: rules.commands, negatives: rules.negatives },
      hybrid: { commands: hybrid.commands, negatives: hybrid.negatives },
      modelIntent: { total: test.length, correct: right, accuracy: right / test.length },
    });
  }
  return folds;
}

import { evaluateInterpreter } from './evaluate-interpreter.ts';
import { labelledSet } from './labelled-set.ts';
import { perturbPhrase } from './perturb-phrase.ts';

describe('labelled set', () => {
  const items = labelledSet();

  it('has several hundred phrasings, commands and negatives in both halves, ids unique', () => {
    expect(items.length).toBeGreaterThanOrEqual(380);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    for (const split of ['dev', 'test'] as const) {
      expect(items.filter((i) => i.split === split && i.intent === 'none').length).toBeGreaterThanOrEqual(60);
      expect(items.filter((i) => i.split === split && i.intent !== 'none').length).toBeGreaterThanOrEqual(120);
    }
  });

  // The held-out half is measured, never tuned on; these floors only catch a regression.
  it.each(['dev', 'test'] as const)('%s half: commands and negatives stay understood, clean and noisy', (split) => {
    const half = items.filter((i) => i.split === split);
    for (const e of [evaluateInterpreter(half), evaluateInterpreter(half.map(perturbPhrase))]) {
      expect(e.commands.accuracy).toBeGreaterThanOrEqual(0.9);
      expect(e.negatives.accuracy).toBeGreaterThanOrEqual(0.93);
    }
  });
});

import path from 'node:path';
import { loadRouteLlm } from './load-routellm.ts';
import { formatRepeatedSplits, repeatedSplitEvaluation } from './repeated-split-evaluation.ts';
import { splitRouteLlm } from './split-routellm.ts';
import { DEFAULT_TRAIN_OPTIONS } from './train-model.ts';

const examples = loadRouteLlm(path.join(__dirname, 'fixtures'));
const options = { ...DEFAULT_TRAIN_OPTIONS, minDocFreq: 2, minGroups: 2, iterations: 100 };

describe('repeatedSplitEvaluation', () => {
  it('evaluates every dataset and router once per seed, on that seed’s held-out prompts', () => {
    const rows = repeatedSplitEvaluation(examples, options, [1, 2, 3], 1 / 3);
    const datasets = [...new Set(examples.map((e) => e.dataset))].sort();
    expect(rows.map((r) => `${r.dataset}/${r.router}`)).toEqual(datasets.flatMap((d) => [`${d}/ours`, `${d}/length-only`, `${d}/random`]));
    for (const row of rows) {
      expect(row.runs).toHaveLength(3);
      row.runs.forEach((m, i) => {
        const heldOut = splitRouteLlm(examples, i + 1, 1 / 3).test.filter((e) => e.dataset === row.dataset);
        expect(m.count).toBe(heldOut.length);
        expect(m.costCutAtTarget).toBeGreaterThanOrEqual(0);
        expect(m.costCutAtTarget).toBeLessThanOrEqual(1);
      });
    }
    // Random is the analytic expectation: APGR exactly 0.5 wherever the split has a weak/strong gap at all.
    const random = rows.filter((r) => r.router === 'random').flatMap((r) => r.runs.filter((m) => m.strongQuality !== m.weakQuality));
    expect(random.length).toBeGreaterThan(0);
    for (const m of random) expect(m.apgr).toBeCloseTo(0.5, 12);
    expect(repeatedSplitEvaluation(examples, options, [1, 2, 3], 1 / 3)).toEqual(rows);
  });

  it('prints median and range per router and counts splits where ours beats length-only', () => {
    const metrics = (cut: number) => ({ count: 10, weakQuality: 0.5, strongQuality: 0.8, strongShareAtTarget: 1 - cut, costCutAtTarget: cut, apgr: 0.6 });
    const text = formatRepeatedSplits([
      { dataset: 'gsm8k', router: 'ours', runs: [metrics(0.3), metrics(0.5), metrics(0.4)] },
      { dataset: 'gsm8k', router: 'length-only', runs: [metrics(0.35), metrics(0.2), metrics(0.1)] },
    ]);
    expect(text).toContain('40.0% [30.0%, 50.0%]');
    expect(text).toContain('gsm8k: ours cuts more than length-only in 2 of 3 splits');
  });
});

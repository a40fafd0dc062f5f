import { crossValidate, groupOf } from './cross-validate.ts';
import { labelledSet } from './labelled-set.ts';

describe('grouped cross-validation', () => {
  it('keeps every expansion of a template in one group; other phrases are their own group', () => {
    expect(groupOf({ id: 'usage.report-3-2', text: '', intent: 'usage.report', args: {}, split: 'dev' })).toBe('usage.report-3');
    expect(groupOf({ id: 'none-7', text: '', intent: 'none', args: {}, split: 'dev' })).toBe('none-7');
    expect(groupOf({ id: 'fresh-12', text: '', intent: 'none', args: {}, split: 'test' })).toBe('fresh-12');
  });

  it('scores every phrase exactly once across the folds', () => {
    const items = labelledSet().filter((_, i) => i % 6 === 0);
    const folds = crossValidate(items, 3);
    expect(folds).toHaveLength(3);
    expect(folds.reduce((s, f) => s + f.size, 0)).toBe(items.length);
    for (const f of folds) expect(f.modelIntent.total).toBe(f.size);
  });
});

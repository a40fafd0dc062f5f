import type { RoutingExample } from './load-routellm.ts';
import { formatSubjectTable, subjectTable } from './subject-table.ts';

const ex = (group: string, weakCorrect: boolean, strongCorrect: boolean): RoutingExample => ({
  dataset: 'mmlu',
  group,
  prompt: '',
  weakCorrect,
  strongCorrect,
});

describe('subjectTable', () => {
  it('summarises each group, sorted, with its within-group APGR', () => {
    const examples = [ex('b', false, true), ex('b', true, true), ex('a', true, true), ex('a', true, true)];
    const rows = subjectTable(examples, [0.9, 0.1, 0.2, 0.4]);
    expect(rows.map((r) => r.group)).toEqual(['a', 'b']);
    expect(rows[0]).toMatchObject({ count: 2, weakQuality: 1, strongQuality: 1 });
    expect(rows[0]!.meanScore).toBeCloseTo(0.3, 12);
    expect(Number.isNaN(rows[0]!.apgr)).toBe(true);
    // The only prompt the weak model fails scores highest: a perfect order within b.
    expect(rows[1]).toMatchObject({ count: 2, weakQuality: 0.5, strongQuality: 1 });
    expect(rows[1]!.apgr).toBeCloseTo(0.75, 12);
    expect(formatSubjectTable(rows)).toContain('gap < 2 pts');
  });

  it('rejects mismatched inputs', () => {
    expect(() => subjectTable([ex('a', true, true)], [])).toThrow('equal length');
  });
});

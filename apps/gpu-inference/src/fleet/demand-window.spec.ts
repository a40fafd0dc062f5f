import { createDemandWindow } from './demand-window.ts';

const d = (completion: number) => ({ requests: 1, promptTokens: 2 * completion, completionTokens: completion });

describe('createDemandWindow', () => {
  it('reports the busiest recent minute and the mean over a span (empty minutes count as zero)', () => {
    const w = createDemandWindow(10);
    w.record(100, d(10));
    w.record(101, d(30));
    w.record(101, d(5));
    w.record(103, d(20));
    expect(w.peak(104, 5)).toEqual({ completionTokensPerMinute: 35, requests: 4 });
    expect(w.peak(104, 1)).toEqual({ completionTokensPerMinute: 20, requests: 1 });
    expect(w.mean(104, 5).completionTokensPerMinute).toBe(13);
    expect(w.mean(104, 5).promptTokensPerMinute).toBe(26);
  });

  it('forgets minutes older than it retains', () => {
    const w = createDemandWindow(3);
    w.record(0, d(100));
    w.record(5, d(1));
    expect(w.peak(6, 10).completionTokensPerMinute).toBe(1);
  });

  it('lists the minutes it holds in a span, oldest first', () => {
    const w = createDemandWindow(10);
    w.record(7, d(7));
    w.record(3, d(3));
    w.record(5, d(5));
    expect(w.recorded(4, 7).map(([m, demand]) => [m, demand.completionTokens])).toEqual([
      [5, 5],
      [7, 7],
    ]);
  });
});

import { apgr, evaluateRouter, randomRouterMetrics, routingCurve, strongShareForQuality, thresholdForQuality } from './routing-metrics.ts';

// Hand-made: weak gets B and D right (50 %), strong gets A, B, C right (75 %); 95 % target = 0.7125.
const ITEMS = [
  { score: 0.9, weakCorrect: false, strongCorrect: true }, // A: escalating gains
  { score: 0.7, weakCorrect: true, strongCorrect: true }, // B: no change
  { score: 0.5, weakCorrect: false, strongCorrect: true }, // C: gains
  { score: 0.1, weakCorrect: true, strongCorrect: false }, // D: escalating loses
];

describe('routing metrics', () => {
  it('builds the threshold-sweep curve', () => {
    expect(routingCurve(ITEMS)).toEqual([
      { strongShare: 0, quality: 0.5 },
      { strongShare: 0.25, quality: 0.75 },
      { strongShare: 0.5, quality: 0.75 },
      { strongShare: 0.75, quality: 1 },
      { strongShare: 1, quality: 0.75 },
    ]);
  });

  it('finds the strong share for 95 % of strong quality by interpolation', () => {
    // First segment 0 → 0.25 climbs 0.5 → 0.75; 0.7125 is reached at 0.25 × 0.2125 / 0.25 = 0.2125.
    const m = evaluateRouter(ITEMS);
    expect(m.weakQuality).toBe(0.5);
    expect(m.strongQuality).toBe(0.75);
    expect(m.strongShareAtTarget).toBeCloseTo(0.2125, 12);
    expect(m.costCutAtTarget).toBeCloseTo(0.7875, 12);
  });

  it('computes APGR as the trapezoid area under PGR', () => {
    // PGR at the 5 points: 0, 1, 1, 2, 1 → 0.25 × (0.5 + 1 + 1.5 + 1.5) = 1.125.
    expect(apgr(routingCurve(ITEMS))).toBeCloseTo(1.125, 12);
  });

  it('scores a random (constant) router at APGR 0.5 with a linear share', () => {
    const m = randomRouterMetrics(ITEMS);
    expect(m.apgr).toBeCloseTo(0.5, 12);
    expect(m.strongShareAtTarget).toBeCloseTo(0.85, 12);
  });

  it('moves tied scores together', () => {
    const tied = [
      { score: 1, weakCorrect: false, strongCorrect: true },
      { score: 1, weakCorrect: true, strongCorrect: true },
    ];
    expect(routingCurve(tied)).toEqual([
      { strongShare: 0, quality: 0.5 },
      { strongShare: 1, quality: 1 },
    ]);
  });

  it('returns 0 when the weak model already meets the target and 1 when nothing does', () => {
    expect(strongShareForQuality([{ strongShare: 0, quality: 0.9 }, { strongShare: 1, quality: 0.9 }], 0.855)).toBe(0);
    expect(strongShareForQuality([{ strongShare: 0, quality: 0.1 }, { strongShare: 1, quality: 0.2 }], 0.5)).toBe(1);
  });

  it('picks the score cut-point that first reaches the target', () => {
    expect(thresholdForQuality(ITEMS, 0.95)).toBe(0.9);
    expect(thresholdForQuality(ITEMS, 1.3)).toBe(0.5);
    expect(() => thresholdForQuality([{ score: Number.NaN, weakCorrect: true, strongCorrect: true }], 0.95)).toThrow('NaN');
  });

  it('rejects empty input and NaN scores', () => {
    expect(() => routingCurve([])).toThrow('at least one');
    expect(() => routingCurve([{ score: Number.NaN, weakCorrect: true, strongCorrect: true }])).toThrow('NaN');
  });
});

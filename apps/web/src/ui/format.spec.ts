import { formatCompact, formatCount, formatMs, formatPercent, formatUsd, humanNote, NO_FIGURE } from './format.ts';

describe('formats', () => {
  it('prints dollars from micro-dollars: cents from $1, three significant digits below', () => {
    expect(formatUsd(0n)).toBe('$0.00');
    expect(formatUsd(1_234_567_890n)).toBe('$1,234.57');
    expect(formatUsd(36n)).toBe('$0.000036');
    expect(formatUsd(123_456n)).toBe('$0.123');
    expect(formatUsd(-2_500_000n)).toBe('-$2.50');
  });

  it('prints counts, percentages and durations in human units', () => {
    expect(formatCount(12345n)).toBe('12,345');
    expect(formatPercent(0.667)).toBe('66.7%');
    expect(formatMs(850.4)).toBe('850 ms');
    expect(formatMs(999.7)).toBe('1.00 s');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(65_000)).toBe('65.0 s');
  });

  it('never prints NaN, Infinity, -0 or a fraction of a micro-dollar', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(formatUsd(bad)).toBe(NO_FIGURE);
      expect(formatCount(bad)).toBe(NO_FIGURE);
      expect(formatCompact(bad)).toBe(NO_FIGURE);
      expect(formatPercent(bad)).toBe(NO_FIGURE);
      expect(formatMs(bad)).toBe(NO_FIGURE);
    }
    expect(formatPercent(-0)).toBe('0%');
    expect(formatPercent(-0.00001)).toBe('0%');
    expect(formatMs(-0.2)).toBe('0 ms');
    expect(formatCount(-0)).toBe('0');
    expect(formatUsd(-0.4)).toBe('$0.00');
    expect(formatUsd(0.1)).toBe('$0.00');
    expect(formatUsd(1e-7 * 1e6)).toBe('$0.00');
  });

  it("prints the mesh's micro-dollar notes in dollars", () => {
    expect(humanNote('gpu baseline: flat monthly GPU baseline, 6444000000 µ$/month prorated over the period')).toBe('gpu baseline: flat monthly GPU baseline, $6,444.00/month prorated over the period');
    expect(humanNote('largest tier: m on serverless')).toBe('largest tier: m on serverless');
  });
});

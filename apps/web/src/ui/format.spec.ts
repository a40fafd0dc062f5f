import { formatCount, formatMs, formatPercent, formatUsd } from './format.ts';

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
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(65_000)).toBe('65.0 s');
  });
});

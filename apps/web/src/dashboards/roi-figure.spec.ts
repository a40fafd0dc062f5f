import { roiFigure, savedShareText } from './roi-figure.ts';

describe('roiFigure', () => {
  it('says n/a when the spend is under a cent, whatever the savings', () => {
    expect(roiFigure(6_444_000_000n, 3n)).toEqual({ text: 'n/a (spend ≈ $0)', raw: '' });
    expect(roiFigure(0n, 0n)).toEqual({ text: 'n/a (spend ≈ $0)', raw: '' });
    expect(roiFigure(-5n, 9_999n).text).toBe('n/a (spend ≈ $0)');
  });

  it('prints saved ÷ spend as a percentage, capped where the size says nothing more', () => {
    expect(roiFigure(1_500_000n, 1_000_000n)).toEqual({ text: '150%', raw: 1.5 });
    expect(roiFigure(-250_000n, 1_000_000n)).toEqual({ text: '-25%', raw: -0.25 });
    expect(roiFigure(6_444_000_000n, 10_000n)).toEqual({ text: '> 10,000%', raw: 644_400 });
  });
});

describe('savedShareText', () => {
  it('is saved ÷ baseline, and absent without a baseline', () => {
    expect(savedShareText(999_000n, 1_000_000n)).toBe('99.9%');
    expect(savedShareText(5n, 0n)).toBeUndefined();
    expect(savedShareText(211_859_984n, 211_860_000n)).toBe('> 99.9%');
    expect(savedShareText(1_000_000n, 1_000_000n)).toBe('100%');
  });
});

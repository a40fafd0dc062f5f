import { formatUsd, microUsd, usd } from './command-result.ts';

describe('dollar amounts keep the ledger precision', () => {
  it.each([
    [1234.5, '$1,234.50'],
    [0.01, '$0.01'],
    [0.004, '$0.0040'],
    [0.000022, '$0.000022'],
    [0.000001, '$0.000001'],
    [0, '$0.00'],
    [-0.0005, '-$0.00050'],
  ])('%s → %s', (dollars, shown) => {
    expect(formatUsd(dollars)).toBe(shown);
  });

  it('a sub-cent budget round-trips through micro-dollars exactly', () => {
    expect(microUsd(0.004)).toBe(4000n);
    expect(usd(microUsd(0.004))).toBe(0.004);
    expect(usd({ $typeName: 'sophia.common.v1.Money', microUsd: 1n })).toBe(0.000001);
  });
});

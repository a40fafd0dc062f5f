import { DAY_MS, decodeRollup, splitPeriod } from './usage-rollup.ts';

describe('splitPeriod', () => {
  const D = DAY_MS;
  it('scans a period inside one day', () => {
    expect(splitPeriod(5, 10)).toEqual({ scans: [[5, 10]] });
    expect(splitPeriod(10, 10)).toEqual({ scans: [] });
  });
  it('reads whole days from roll-ups and scans only the edges', () => {
    expect(splitPeriod(D / 2, 3 * D + 7)).toEqual({ scans: [[D / 2, D], [3 * D, 3 * D + 7]], days: [1, 3] });
    expect(splitPeriod(D, 3 * D)).toEqual({ scans: [], days: [1, 3] });
    expect(splitPeriod(0, D)).toEqual({ scans: [], days: [0, 1] });
  });
});

describe('decodeRollup', () => {
  it('sums counters per group with the day filled in', () => {
    const group = JSON.stringify(['acme', 'small', 'gpu', 'simple', 'chat']);
    const groups = decodeRollup('k', 20_418, { [`${group}|n`]: '2', [`${group}|p`]: '10', [`${group}|c`]: '5', [`${group}|$`]: '99999999999999999999', [`${group}|k`]: '4' });
    expect(groups).toEqual([
      {
        facts: { tenant: 'acme', model: 'small', backend: 'gpu', tier: 'simple', day: '2025-11-26', workload_tag: 'chat', provider: '' },
        totals: { requests: 2n, promptTokens: 10n, completionTokens: 5n, costMicroUsd: 99999999999999999999n, cachedPromptTokens: 4n },
      },
    ]);
  });
  it('reads the provider of groups written with one (groups written before it existed read as "")', () => {
    const withProvider = JSON.stringify(['acme', 'small', 'serverless', 'simple', '', 'deepinfra']);
    const [group] = decodeRollup('k', 20_418, { [`${withProvider}|n`]: '1', [`${withProvider}|p`]: '1', [`${withProvider}|c`]: '1', [`${withProvider}|$`]: '1' });
    expect(group?.facts.provider).toBe('deepinfra');
    expect(() => decodeRollup('k', 0, { '["a","m","gpu","simple","",7]|n': '1' })).toThrow('corrupt usage roll-up at k: group');
  });
  it('names the key and field of malformed data', () => {
    expect(() => decodeRollup('k', 0, { 'x|q': '1' })).toThrow('corrupt usage roll-up at k: field x|q');
    expect(() => decodeRollup('k', 0, { '["a"]|n': '1' })).toThrow('corrupt usage roll-up at k: group ["a"]');
    expect(() => decodeRollup('k', 0, { '["a"]|n': '-1' })).toThrow('field ["a"]|n');
  });
});

import { periodOf, rangeFromSearch } from './time-range.ts';

describe('periodOf', () => {
  const now = Date.UTC(2026, 11, 5, 6, 30); // 2026-12-05 06:30 UTC

  it('ends every range now and starts it the right span earlier', () => {
    expect(periodOf('24h', now)).toEqual({ startMs: now - 86_400_000, endMs: now });
    expect(periodOf('7d', now).startMs).toBe(now - 7 * 86_400_000);
    expect(periodOf('30d', now).startMs).toBe(now - 30 * 86_400_000);
  });

  it('starts month to date at the first of the month (UTC)', () => {
    expect(periodOf('mtd', now)).toEqual({ startMs: Date.UTC(2026, 11, 1), endMs: now });
    expect(periodOf('mtd', Date.UTC(2027, 0, 1)).startMs).toBe(Date.UTC(2027, 0, 1));
  });
});

describe('rangeFromSearch', () => {
  it('reads ?range= and falls back for anything else', () => {
    expect(rangeFromSearch('?range=7d')).toBe('7d');
    expect(rangeFromSearch('?range=mtd&x=1')).toBe('mtd');
    expect(rangeFromSearch('?range=1y')).toBe('24h');
    expect(rangeFromSearch('', '30d')).toBe('30d');
  });
});

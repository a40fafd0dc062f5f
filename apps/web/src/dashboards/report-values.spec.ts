import { daySeconds, daySlots } from './report-values.ts';

describe('daySlots', () => {
  const day = (d: number): number => Date.UTC(2026, 11, d) / 1000;

  it('spans the UTC days a 24-hour period touches, half a day either side of their midnights', () => {
    const period = { startMs: Date.UTC(2026, 11, 4, 8, 30), endMs: Date.UTC(2026, 11, 5, 8, 30) };
    expect(daySlots(period)).toEqual([day(4) - 43_200, day(5) + 43_200]);
  });

  it('holds a single day for a period inside one day, and the ledger day key falls inside', () => {
    const period = { startMs: Date.UTC(2026, 11, 5), endMs: Date.UTC(2026, 11, 5, 6) };
    const [from, to] = daySlots(period);
    expect([from, to]).toEqual([day(5) - 43_200, day(5) + 43_200]);
    expect(daySeconds('2026-12-05')).toBeGreaterThan(from);
    expect(daySeconds('2026-12-05')).toBeLessThan(to);
  });

  it('ends at the last day the period holds (an end at midnight is exclusive)', () => {
    expect(daySlots({ startMs: Date.UTC(2026, 11, 1), endMs: Date.UTC(2026, 11, 8) })).toEqual([day(1) - 43_200, day(7) + 43_200]);
  });
});

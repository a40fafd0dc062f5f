import { createBudgetCalendar } from './budget-calendar.ts';

describe('createBudgetCalendar', () => {
  it('uses UTC days and months by default', () => {
    const c = createBudgetCalendar();
    const t = Date.UTC(2026, 11, 31, 23, 59, 59, 999);
    expect([c.period('day', t), c.period('month', t)]).toEqual(['2026-12-31', '2026-12']);
    expect(c.resetsAtMs('day', t)).toBe(Date.UTC(2027, 0, 1));
    expect(c.resetsAtMs('month', t)).toBe(Date.UTC(2027, 0, 1));
    expect(c.startsAtMs('month', t)).toBe(Date.UTC(2026, 11, 1));
  });

  it('follows the zone, across DST changes', () => {
    const berlin = createBudgetCalendar('Europe/Berlin');
    // 2026-03-29 is the spring-forward day in Berlin (23 hours long).
    const t = Date.UTC(2026, 2, 28, 23, 30); // 00:30 local on the 29th
    expect(berlin.period('day', t)).toBe('2026-03-29');
    expect(berlin.startsAtMs('day', t)).toBe(Date.UTC(2026, 2, 28, 23));
    expect(berlin.resetsAtMs('day', t)).toBe(Date.UTC(2026, 2, 29, 22));
    expect(berlin.resetsAtMs('month', t)).toBe(Date.UTC(2026, 2, 31, 22));
    const ny = createBudgetCalendar('America/New_York');
    const u = Date.UTC(2026, 10, 1, 3); // 23:00 local on Oct 31 (EDT)
    expect([ny.period('day', u), ny.period('month', u)]).toEqual(['2026-10-31', '2026-10']);
    expect(ny.resetsAtMs('month', u)).toBe(Date.UTC(2026, 10, 1, 4));
    // Nov 1 is 25 hours long in New York (fall back).
    expect(ny.resetsAtMs('day', Date.UTC(2026, 10, 1, 5))).toBe(Date.UTC(2026, 10, 2, 5));
  });

  it('handles zones with non-hour offsets', () => {
    const kolkata = createBudgetCalendar('Asia/Kolkata');
    expect(kolkata.resetsAtMs('day', Date.UTC(2026, 0, 1, 20))).toBe(Date.UTC(2026, 0, 2, 18, 30));
  });

  it('rejects unknown zones', () => {
    expect(() => createBudgetCalendar('Mars/Olympus')).toThrow(RangeError);
  });
});

describe('budget calendar period cache', () => {
  it('answers exactly as an uncached calendar, hour by hour across DST changes and month ends', () => {
    const cached = createBudgetCalendar('Europe/Berlin');
    const windows = ['day', 'month'] as const;
    const from = Date.UTC(2026, 2, 27);
    for (const start of [from, Date.UTC(2026, 9, 23), Date.UTC(2026, 10, 29)]) {
      for (let t = start; t < start + 4 * 86_400_000; t += 3_600_000 + 7_000) {
        const fresh = createBudgetCalendar('Europe/Berlin');
        for (const w of windows) {
          expect(cached.period(w, t)).toBe(fresh.period(w, t));
          expect(cached.resetsAtMs(w, t)).toBe(fresh.resetsAtMs(w, t));
          expect(cached.startsAtMs(w, t)).toBe(fresh.startsAtMs(w, t));
        }
      }
    }
  });
});

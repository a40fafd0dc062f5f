import { zonedDayStartMs } from './calendar-date.ts';

describe('zonedDayStartMs', () => {
  it('is midnight where the zone is, across DST', () => {
    expect(new Date(zonedDayStartMs({ y: 2026, m: 12, d: 7 }, 'UTC')).toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(new Date(zonedDayStartMs({ y: 2026, m: 12, d: 7 }, 'Europe/Berlin')).toISOString()).toBe('2026-12-06T23:00:00.000Z');
    expect(new Date(zonedDayStartMs({ y: 2026, m: 7, d: 1 }, 'Europe/Berlin')).toISOString()).toBe('2026-06-30T22:00:00.000Z');
    expect(new Date(zonedDayStartMs({ y: 2026, m: 3, d: 8 }, 'America/New_York')).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(zonedDayStartMs({ y: 2026, m: 3, d: 9 }, 'America/New_York')).toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });
});

import { createRunawayDetector } from './runaway-detector.ts';

const T0 = Date.UTC(2026, 11, 5, 9);

describe('runaway detector', () => {
  it('lets a steady caller through at any rate its own history shows', () => {
    const d = createRunawayDetector();
    // 2 requests/s for 20 minutes, each a different prompt: that is this key's normal.
    let last;
    for (let i = 0; i < 2400; i++) last = d.observe('acme:k', `p${i}`, T0 + i * 500);
    expect(last).toEqual({ action: 'pass' });
  });

  it('slows, then stops a quiet key that jumps far above its baseline', () => {
    const d = createRunawayDetector();
    for (let i = 0; i < 20; i++) d.observe('acme:k', `p${i}`, T0 + i * 60_000); // 1 request/min for 20 min
    const verdicts = [];
    for (let i = 0; i < 400; i++) verdicts.push(d.observe('acme:k', `q${i}`, T0 + 20 * 60_000 + i * 20).action); // then 50/s
    expect(verdicts.indexOf('slow')).toBeGreaterThan(0);
    expect(verdicts.indexOf('stop')).toBeGreaterThan(verdicts.indexOf('slow'));
    // Another key of the same tenant is not affected.
    expect(d.observe('acme:other', 'x', T0 + 20 * 60_000 + 8000).action).toBe('pass');
  });

  it('detects the same prompt repeated within seconds, and forgets it after a pause', () => {
    const d = createRunawayDetector({ floorPerMinute: 1000 });
    const verdicts = Array.from({ length: 40 }, (_, i) => d.observe('acme:k', 'same', T0 + i * 1000).action);
    expect(verdicts.slice(0, 4)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(verdicts).toContain('slow');
    expect(verdicts.at(-1)).toBe('stop');
    expect(d.observe('acme:k', 'same', T0 + 40_000 + 120_000).action).toBe('pass');
  });
});

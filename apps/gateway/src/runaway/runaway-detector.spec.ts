import { memoryStateDatabase } from '@sophia/state-store/testing';
import type { StateDatabase } from '@sophia/state-store';
import { createRunawayDetector, type RunawayCaller, type RunawayOptions, type RunawayDetector } from './runaway-detector.ts';
import { createSqliteRunawayCounterStore, RUNAWAY_COUNTER_SCHEMA } from './runaway-counter-store.ts';

const T0 = Date.UTC(2026, 11, 5, 9);
const key = (keyId: string, tenant = 'acme'): RunawayCaller => ({ tenant, keyId });

describe('runaway detector (on the embedded store)', () => {
  let state: StateDatabase;
  const detector = (options?: RunawayOptions): RunawayDetector => createRunawayDetector(createSqliteRunawayCounterStore(state.db), options);
  beforeEach(() => {
    state = memoryStateDatabase(RUNAWAY_COUNTER_SCHEMA);
  });
  afterEach(() => state.close());

  it('lets a steady caller through at any rate its own history shows', async () => {
    const d = detector();
    // 2 requests/s for 20 minutes, each a different prompt, each costing 2 cents: this key's normal.
    let last;
    for (let i = 0; i < 2400; i++) {
      last = await d.observe(key('k'), `p${i}`, T0 + i * 500);
      await d.recordSpend(key('k'), 0.02, T0 + i * 500);
    }
    expect(last).toEqual({ action: 'pass' });
  });

  it('slows, then stops a quiet key that jumps far above its baseline', async () => {
    const d = detector();
    for (let i = 0; i < 20; i++) await d.observe(key('k'), `p${i}`, T0 + i * 60_000); // 1 request/min for 20 min
    const verdicts = [];
    for (let i = 0; i < 400; i++) verdicts.push(await d.observe(key('k'), `q${i}`, T0 + 20 * 60_000 + i * 20)); // then 50/s
    const actions = verdicts.map((v) => v.action);
    expect(actions.indexOf('slow')).toBeGreaterThan(0);
    expect(actions.indexOf('stop')).toBeGreaterThan(actions.indexOf('slow'));
    expect(verdicts.find((v) => v.action === 'stop')).toMatchObject({ scope: 'key', why: expect.stringContaining('request rate') });
  });

  it('stops a tenant whose keys together jump far above the tenant baseline, each key staying modest', async () => {
    // A floor high enough that no single key (≤ 30/min) is a runaway on its own.
    const d = detector({ floorPerMinute: 40 });
    for (let i = 0; i < 30; i++) await d.observe(key(`k${i % 3}`), `p${i}`, T0 + i * 20_000); // tenant: 3/min for 10 min
    const start = T0 + 30 * 20_000;
    const verdicts = [];
    // 60 keys, each sending one request every 2 s: 30/min per key, 1,800/min for the tenant.
    for (let i = 0; i < 600; i++) verdicts.push(await d.observe(key(`burst${i % 60}`), `q${i}`, start + Math.floor(i / 60) * 2000 + (i % 60)));
    const stop = verdicts.find((v) => v.action === 'stop');
    expect(stop).toMatchObject({ scope: 'tenant', why: expect.stringContaining("tenant's request rate") });
    expect(verdicts.some((v) => v.action !== 'pass' && v.scope === 'key')).toBe(false);
    // Another tenant is untouched.
    expect(await d.observe(key('k', 'globex'), 'x', start + 20_000)).toEqual({ action: 'pass' });
  });

  it('slows, then stops a key whose spend jumps far above its own baseline at an ordinary request rate', async () => {
    // A request rate floor so high that only spend can trip; spend floor 1 USD/min.
    const d = detector({ floorPerMinute: 100_000 });
    for (let i = 0; i < 60; i++) {
      await d.observe(key('k'), `p${i}`, T0 + i * 10_000); // 6 requests/min for 10 min at 1 cent each
      await d.recordSpend(key('k'), 0.01, T0 + i * 10_000);
    }
    const start = T0 + 600_000;
    const actions = [];
    // Same request rate, but each answer now costs 10 USD (a prompt that grew in a loop): 60 USD/min.
    for (let i = 0; i < 30; i++) {
      const v = await d.observe(key('k'), `q${i}`, start + i * 10_000);
      actions.push(v.action);
      if (v.action === 'stop') {
        expect(v).toMatchObject({ scope: 'key', why: expect.stringContaining('spend rate') });
        break;
      }
      await d.recordSpend(key('k'), 10, start + i * 10_000);
    }
    expect(actions[0]).toBe('pass');
    expect(actions).toContain('slow');
    expect(actions.at(-1)).toBe('stop');
  });

  it('detects the same prompt repeated within seconds, and forgets it after a pause', async () => {
    const d = detector({ floorPerMinute: 1000 });
    const verdicts = [];
    for (let i = 0; i < 40; i++) verdicts.push((await d.observe(key('k'), 'same', T0 + i * 1000)).action);
    expect(verdicts.slice(0, 4)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(verdicts).toContain('slow');
    expect(verdicts.at(-1)).toBe('stop');
    expect((await d.observe(key('k'), 'same', T0 + 40_000 + 120_000)).action).toBe('pass');
  });

  it('keeps a stopped key stopped for stopMs without counting its refused requests, then judges it afresh', async () => {
    const d = detector({ floorPerMinute: 1000, stopMs: 60_000 });
    let t = T0;
    let verdict;
    for (let i = 0; i < 40 && verdict?.action !== 'stop'; i++) verdict = await d.observe(key('k'), 'same', (t += 500));
    expect(verdict).toMatchObject({ action: 'stop', retryAfterMs: 60_000 });
    // Thirty seconds on, a different prompt is still refused, with the time left.
    expect(await d.observe(key('k'), 'other', t + 30_000)).toMatchObject({ action: 'stop', scope: 'key', retryAfterMs: 30_000 });
    // The tenant's other keys are not stopped by one key's loop.
    expect((await d.observe(key('k2'), 'x', t + 30_000)).action).toBe('pass');
    expect((await d.observe(key('k'), 'other', t + 60_001)).action).toBe('pass');
  });

  it('judges each request in one store step, a stopped one included; only a new stop adds a second', async () => {
    const inner = createSqliteRunawayCounterStore(state.db);
    let steps = 0;
    const d = createRunawayDetector({ add: (...args) => ((steps += 1), inner.add(...args)) }, { floorPerMinute: 1000, stopMs: 60_000 });
    let t = T0;
    const stepsPer: Array<{ action: string; steps: number }> = [];
    for (let i = 0; i < 40 && stepsPer.at(-1)?.action !== 'stop'; i++) {
      steps = 0;
      stepsPer.push({ action: (await d.observe(key('k'), 'same', (t += 500))).action, steps });
    }
    expect(stepsPer.at(-1)).toEqual({ action: 'stop', steps: 2 });
    expect(stepsPer.slice(0, -1).every((s) => s.steps === 1)).toBe(true);
    steps = 0;
    expect((await d.observe(key('k'), 'other', t + 1000)).action).toBe('stop');
    expect(steps).toBe(1);
  });
});

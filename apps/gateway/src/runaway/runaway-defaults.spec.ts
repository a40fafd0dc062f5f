// Runaway protection as the gateway starts it with no runaway keys set: a load test of one prompt
// from one key at hundreds of requests per second must never be slowed or stopped, while a loop
// that spends far beyond its own history is — and so is a climb too slow for the short signal.
import { loadConfig } from '@sophia/platform';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import type { StateDatabase } from '@sophia/state-store';
import { gatewayConfigSchema } from '../gateway-config.ts';
import { createSqliteRunawayCounterStore, RUNAWAY_COUNTER_SCHEMA } from './runaway-counter-store.ts';
import { createRunawayDetector, type RunawayDetector, type RunawayVerdict } from './runaway-detector.ts';
import { runawayOptionsOf } from './runaway-options.ts';

const T0 = Date.UTC(2026, 11, 5, 9);
const caller = { tenant: 'acme', keyId: 'bench' };

describe('runaway protection with the gateway defaults', () => {
  let state: StateDatabase;
  let detector: RunawayDetector;
  beforeEach(() => {
    state = memoryStateDatabase(RUNAWAY_COUNTER_SCHEMA);
    const options = runawayOptionsOf(loadConfig(gatewayConfigSchema, { env: {} }));
    expect(options).toBeDefined();
    detector = createRunawayDetector(createSqliteRunawayCounterStore(state.db), options);
  });
  afterEach(() => state.close());

  /** `perSecond` requests a second for `seconds` from `start`, each answer costing `usd`; the verdicts. */
  const load = async (start: number, seconds: number, perSecond: number, usd: (t: number) => number, prompt = 'the same benchmark prompt'): Promise<RunawayVerdict[]> => {
    const verdicts: RunawayVerdict[] = [];
    for (let i = 0; i < seconds * perSecond; i++) {
      const t = start + Math.floor((i * 1000) / perSecond);
      const verdict = await detector.observe(caller, prompt, t);
      verdicts.push(verdict);
      if (verdict.action === 'stop') break;
      await detector.recordSpend(caller, usd(t), t);
    }
    return verdicts;
  };

  it('never slows or stops a cold key load-testing one prompt at 200 rps on the dearest offer, and reports the repeats', async () => {
    // 250-token answers at 3 USD per million tokens (the catalog's dearest chat offer), 200 rps for a
    // minute: 18 USD/min, under the slow line of 5 × the 5 USD/min floor.
    const verdicts = await load(T0, 60, 200, () => 0.00075);
    const actions = new Set(verdicts.map((v) => v.action));
    expect([...actions].sort()).toEqual(['detect', 'pass']);
    expect(verdicts.at(-1)).toMatchObject({ action: 'detect', scope: 'key', why: expect.stringContaining('the same prompt') });
  });

  it('slows, then stops a key whose loop spends 150 USD/min, far above its own history', async () => {
    const verdicts = await load(T0, 120, 50, () => 0.05, 'a prompt');
    const actions = verdicts.map((v) => v.action);
    expect(actions.indexOf('slow')).toBeGreaterThan(0);
    expect(actions.at(-1)).toBe('stop');
    expect(verdicts.at(-1)).toMatchObject({ scope: 'key', why: expect.stringContaining('spend rate') });
  });

  it('stops a climb too slow for the short signal once it stands far above the long-term baseline', async () => {
    // A day at 2 USD/min (one request every 10 s), then a climb by 1 USD/min every minute.
    const day = await load(T0, 86_400, 0.1, () => 0.333, 'a prompt');
    expect(day.every((v) => v.action === 'pass')).toBe(true);
    const climbStart = T0 + 86_400_000;
    const climb = await load(climbStart, 3 * 3600, 0.1, (t) => (2 + (t - climbStart) / 60_000) / 6, 'a prompt');
    const stop = climb.at(-1)!;
    expect(stop).toMatchObject({ action: 'stop', scope: 'key', why: expect.stringContaining('long-term baseline') });
    // The short signal never fired: each 20 s window is close to the 10 minutes before it.
    expect(climb.some((v) => v.action !== 'pass' && v.why.includes("key's spend rate"))).toBe(false);
  });
});

// Runaway protection in front of a fake router, behind a real gateway (HTTP on port 0).
import { pino } from 'pino';
import type { GatewayServer } from '../gateway-server.ts';
import { json, jsonHeaders, startTestGateway } from '../testing/gateway-harness.ts';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { createRunawayDetector } from './runaway-detector.ts';
import { createSqliteRunawayCounterStore, RUNAWAY_COUNTER_SCHEMA } from './runaway-counter-store.ts';
import { runawayRouter, type RunawayEvent } from './runaway-router.ts';

describe('runaway protection (gateway with a fake router)', () => {
  let gateway: GatewayServer;
  const state = memoryStateDatabase(RUNAWAY_COUNTER_SCHEMA);
  afterEach(async () => {
    await gateway?.close(100);
  });
  afterAll(() => state.close());

  it('slows, then stops a key re-sending one prompt in a loop, reporting each action', async () => {
    const events: RunawayEvent[] = [];
    const delays: number[] = [];
    let clock = Date.UTC(2026, 11, 5, 9);
    // A high floor isolates the repeated-prompt signal; a fake clock makes each request 1 s apart.
    const detector = createRunawayDetector(createSqliteRunawayCounterStore(state.db), { floorPerMinute: 100_000 });
    const started = await startTestGateway({ routerTap: (r) => runawayRouter(r, { detector, logger: pino({ level: 'silent' }), onRunaway: (e) => events.push(e), now: () => (clock += 1000), sleep: async (ms) => void delays.push(ms) }) });
    gateway = started.gateway;
    const statuses: Array<{ status: number; runaway: string | null }> = [];
    for (let i = 0; i < 35 && statuses.at(-1)?.status !== 429; i++) {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders(), body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'same again' }] }) });
      statuses.push({ status: res.status, runaway: res.headers.get('x-sophia-runaway') });
      if (res.status === 429) {
        expect(res.headers.get('retry-after')).toBe('60');
        expect((await json(res)).error.message).toContain('runaway protection');
      } else await res.text();
    }
    expect(statuses[0]).toEqual({ status: 200, runaway: null });
    expect(statuses.some((s) => s.status === 200 && s.runaway === 'slow')).toBe(true);
    expect(statuses.at(-1)?.status).toBe(429);
    expect(events.at(-1)).toMatchObject({ tenant: 'acme', action: 'stop', scope: 'key' });
    expect(events.filter((e) => e.action === 'slow')).toHaveLength(delays.length);
    expect(delays.length).toBeGreaterThan(0);
    // The delay grows with the excess.
    expect(delays.at(-1)!).toBeGreaterThan(delays[0]!);
    // The router was never called for the stopped request.
    expect(started.fake.calls.inputs).toHaveLength(statuses.length - 1);
  });
});

import { readFileSync } from 'node:fs';
import { loadCatalog } from '@sophia/price-catalog';
import { fleetPolicySchema } from '../fleet-policy.ts';
import { parseDemandTrace, TraceError } from './demand-trace.ts';
import { replayTrace } from './replay-trace.ts';

const catalog = loadCatalog();
const policy = fleetPolicySchema.parse({ version: 1 });
const fixture = parseDemandTrace(readFileSync(new URL('fixtures/short-outage.jsonl', import.meta.url), 'utf8'));

describe('replayTrace', () => {
  it('carries an outage on an instance launched for it; requests waiting longer than their deadline for the boot are unserved', async () => {
    const r = await replayTrace(fixture, { catalog, policy, bootMinutes: 3, deadlineSeconds: 60 });
    expect(r.requests).toBe(200);
    // Breaker open at minute 5, instance ready at 8: minutes 5 and 6 time out, 7 waits one minute and is served.
    expect(r.unserved_requests).toBe(20);
    // Launched at 5; the last minute that needed it is 9, kept the policy's cool-down (its expected
    // boot, 5 min) after that: terminated at 14.
    expect(r.gpu_instance_hours * 60).toBe(9);
    // The load is far below one instance of any type, so the cheapest by the hour: a gpu_1x_a100.
    expect(r.gpu_usd).toBeCloseTo((9 * 1.99) / 60, 9);
    // The 8B model's reference serverless price: its cheapest offer (deepinfra, 0.03 / 0.05 $/M).
    const perMinute = (5000 * 0.03 + 1000 * 0.05) / 1e6;
    // Minutes 0–4 and 14–19 pay serverless; 10–13 ride the instance already paid for.
    expect(r.serverless_usd).toBeCloseTo(11 * perMinute, 12);
    expect(r.all_serverless_usd).toBeCloseTo(20 * perMinute, 12);
    expect(r.total_usd).toBeCloseTo(r.gpu_usd + r.serverless_usd, 12);
    expect(r.always_on_usd).toBeCloseTo((6444 / 730 / 60) * 20, 9);
  });

  it('loses nothing when the deadline outlasts the boot', async () => {
    const r = await replayTrace(fixture, { catalog, policy, bootMinutes: 3, deadlineSeconds: 240 });
    expect(r.unserved_requests).toBe(0);
  });
});

describe('parseDemandTrace', () => {
  it('names the line and field of a bad line', () => {
    expect(() => parseDemandTrace('{"minute":0,"tier":"simple","requests":1,"prompt_tokens":1,"completion_tokens":1,"serverless_up":true}\n{"minute":1,"tier":"huge"}', 't.jsonl')).toThrow(
      new TraceError('t.jsonl:2: tier: Invalid option: expected one of "simple"|"balanced"|"complex"'),
    );
    expect(() => parseDemandTrace('nope', 't.jsonl')).toThrow(/t\.jsonl:1: not JSON/);
    expect(() => parseDemandTrace('\n', 't.jsonl')).toThrow('t.jsonl: no trace lines');
  });
});

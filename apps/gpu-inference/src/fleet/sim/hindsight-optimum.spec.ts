import { readFileSync } from 'node:fs';
import { loadCatalog } from '@sophia/price-catalog';
import { parseDemandTrace, type TraceLine } from './demand-trace.ts';
import { hindsightOptimum } from './hindsight-optimum.ts';

const catalog = loadCatalog();
const fixture = parseDemandTrace(readFileSync(new URL('fixtures/short-outage.jsonl', import.meta.url), 'utf8'));
const line = (minute: number, up: boolean): TraceLine => ({ minute, tier: 'simple', requests: 10, prompt_tokens: 5000, completion_tokens: 1000, serverless_up: up });
const text = (lines: TraceLine[]): string => lines.map((l) => JSON.stringify(l)).join('\n');

describe('hindsightOptimum', () => {
  it('boots one instance exactly ahead of the outage and stops it when the outage ends', () => {
    const r = hindsightOptimum(fixture, catalog, 3);
    // 5 outage minutes + 3 boot minutes of one gpu_1x_a100 (the cheapest type that carries 1,000
    // tok/min; the catalog's gpu_1x_h100_sxm5 would cost 4.29 $/h); 15 minutes serverless.
    expect(r.gpu_instance_hours * 60).toBeCloseTo(8, 9);
    expect(r.gpu_usd).toBeCloseTo((8 * 1.99) / 60, 9);
    expect(r.serverless_usd).toBeCloseTo(15 * (5000 * 0.03 + 1000 * 0.05) / 1e6, 12);
    expect(r.unserved_requests).toBe(0);
  });

  it('keeps the instance across a gap shorter than a boot, and relaunches across a longer one', () => {
    const down = (from: number, to: number) => (m: number) => !(m >= from && m < to);
    const outages = (ups: ((m: number) => boolean)[]) => Array.from({ length: 30 }, (_, m) => line(m, ups.every((u) => u(m))));
    const short = hindsightOptimum(parseDemandTrace(text(outages([down(2, 5), down(7, 10)]))), catalog, 3);
    expect(short.gpu_instance_hours * 60).toBeCloseTo(3 + 8, 9); // one boot, minutes 2..9 held
    const long = hindsightOptimum(parseDemandTrace(text(outages([down(2, 5), down(15, 18)]))), catalog, 3);
    expect(long.gpu_instance_hours * 60).toBeCloseTo(2 * (3 + 3), 9); // two boots, gap of 10 not held
  });
});

// The gateway's traffic policies as an outside evaluator meets them — no traffic keys set, so the
// response cache and runaway protection are on at their defaults: a load test from one key re-sending
// one prompt is never slowed or stopped, and every answer says truthfully whether it came from the
// cache (docs/operations.md, "Response cache" and "Runaway protection").
import { meshForSuite } from './mesh-fixture.ts';

const mesh = meshForSuite();

interface Answered {
  readonly status: number;
  readonly cache: string | null;
  readonly runaway: string | null;
  readonly sophia?: { cache_hit: boolean; cache_saved_usd: string | null; cost_usd: string; backend: string; model: string };
}

/** `total` chat requests with `body`, `concurrency` at a time, from one key. */
async function load(total: number, concurrency: number, body: object): Promise<Answered[]> {
  const out: Answered[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      const res = await fetch(`${mesh().gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-key-acme', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { sophia?: Answered['sophia'] };
      out.push({ status: res.status, cache: res.headers.get('x-sophia-cache'), runaway: res.headers.get('x-sophia-runaway'), ...(json.sophia ? { sophia: json.sophia } : {}) });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

describe('traffic policies at their defaults', () => {
  it('serves a load test of one sampled prompt from one key in full: repeats detected, never slowed or stopped', async () => {
    const answers = await load(300, 20, { model: 'auto', messages: [{ role: 'user', content: 'Benchmark prompt: say hello.' }], max_tokens: 8 });
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.filter((a) => a.runaway === 'slow' || a.runaway === 'stop')).toEqual([]);
    expect(answers.some((a) => a.runaway === 'detect')).toBe(true);
    // Sampled (no temperature): never from the cache, every answer an upstream call with its cost.
    expect(answers.every((a) => a.cache === null && a.sophia?.cache_hit === false && Number(a.sophia.cost_usd) > 0)).toBe(true);
  }, 120_000);

  it('answers repeats of a temperature-0 prompt from the cache, each saying so, never slowed or stopped', async () => {
    const answers = await load(200, 20, { model: 'auto', messages: [{ role: 'user', content: 'Deterministic benchmark prompt.' }], temperature: 0, max_tokens: 8 });
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.filter((a) => a.runaway === 'slow' || a.runaway === 'stop')).toEqual([]);
    const hits = answers.filter((a) => a.cache === 'hit');
    const upstream = answers.filter((a) => a.cache === 'miss');
    expect(hits.length + upstream.length).toBe(answers.length);
    expect(hits.length).toBeGreaterThan(0);
    for (const a of upstream) expect(a.sophia).toMatchObject({ cache_hit: false, cache_saved_usd: null });
    expect(upstream.every((a) => Number(a.sophia?.cost_usd) > 0)).toBe(true);
    // A hit costs nothing, says what it saved, and names the backend and model of an upstream answer.
    for (const a of hits) expect(a.sophia).toMatchObject({ cache_hit: true, cost_usd: '0.000000' });
    expect(hits.every((a) => Number(a.sophia?.cache_saved_usd) > 0)).toBe(true);
    const produced = new Set(upstream.map((a) => `${a.sophia?.backend} ${a.sophia?.model}`));
    expect(hits.every((a) => produced.has(`${a.sophia?.backend} ${a.sophia?.model}`))).toBe(true);
  }, 120_000);
});

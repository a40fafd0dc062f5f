import { createUpstreamSimulator, type UpstreamSimulator } from './upstream-simulator.ts';

let sim: UpstreamSimulator;
beforeAll(async () => {
  sim = await createUpstreamSimulator({ persona: 'serverless', models: ['emb'] });
});
afterAll(() => sim.close());

const post = (body: unknown) => fetch(`${sim.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('POST /v1/embeddings', () => {
  it('returns one unit vector per input (equal texts equal), float or base64, with prompt-token usage', async () => {
    const res = (await (await post({ model: 'emb', input: ['a b', 'c', 'a b'], dimensions: 16 })).json()) as { data: Array<{ index: number; embedding: number[] }>; usage: { prompt_tokens: number } };
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(res.data[0]!.embedding).toHaveLength(16);
    expect(res.data[0]!.embedding).toEqual(res.data[2]!.embedding);
    expect(Math.hypot(...res.data[1]!.embedding)).toBeCloseTo(1, 6);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    const b64 = (await (await post({ model: 'emb', input: 'c', dimensions: 16, encoding_format: 'base64' })).json()) as { data: Array<{ embedding: string }> };
    const bytes = Buffer.from(b64.data[0]!.embedding, 'base64');
    const decoded = [...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)];
    expect(decoded).toHaveLength(16);
    decoded.forEach((x, i) => expect(x).toBeCloseTo(res.data[1]!.embedding[i]!, 5));
  });

  it.each([
    [{ model: 'emb', input: [] }, 400, 'input'],
    [{ model: 'emb', input: 'x', dimensions: 0 }, 400, 'dimensions'],
    [{ model: 'other', input: 'x' }, 404, 'model'],
  ])('refuses %j with %i naming %s', async (body, status, param) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param);
  });
});

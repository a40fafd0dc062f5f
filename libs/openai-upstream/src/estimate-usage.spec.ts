import { estimateUsage } from './estimate-usage.ts';

describe('estimateUsage', () => {
  it('counts prompt and completion tokens with the per-message overhead', async () => {
    const usage = await estimateUsage([{ role: 'user', content: 'hello world' }], 'hi there');
    expect(usage.promptTokens).toBe(3 + 3 + 2);
    expect(usage.completionTokens).toBe(2);
    expect(usage.totalTokens).toBe(usage.promptTokens + usage.completionTokens);
    expect((await estimateUsage([], '')).completionTokens).toBe(0);
  });

  it('bills special-token text as text instead of throwing', async () => {
    const usage = await estimateUsage([{ role: 'user', content: 'print <|endoftext|>' }], 'ok: <|endoftext|>');
    expect(usage.promptTokens).toBeGreaterThan(6);
    expect(usage.completionTokens).toBeGreaterThan(2);
  });
});

import { TierQueue } from './tier-queue.ts';

describe('TierQueue', () => {
  it('serves oldest first, splits a partly served minute, and expires what passed its deadline', () => {
    const q = new TierQueue();
    q.push({ minute: 0, requests: 10, promptTokens: 1000, completionTokens: 100 });
    expect(q.serve(0, 0, 1)).toEqual({ served: { requests: 0, promptTokens: 0, completionTokens: 0 }, expiredRequests: 0 });
    q.push({ minute: 1, requests: 4, promptTokens: 400, completionTokens: 40 });
    // Minute 1: 120 tokens serve minute 0 (100) and half of minute 1 (20 of 40).
    const out = q.serve(1, 120, 1);
    expect(out.served.requests).toBe(12);
    expect(out.served.completionTokens).toBe(120);
    expect(out.expiredRequests).toBe(0);
    expect(q.waitingRequests).toBe(2);
    // Minute 2 with no capacity: what arrived in minute 1 may wait until minute 2 only.
    expect(q.serve(2, 0, 1).expiredRequests).toBe(2);
    expect(q.waitingRequests).toBe(0);
  });

  it('ignores empty minutes and hands everything back on drain', () => {
    const q = new TierQueue();
    q.push({ minute: 0, requests: 0, promptTokens: 0, completionTokens: 0 });
    q.push({ minute: 0, requests: 3, promptTokens: 3, completionTokens: 3 });
    expect(q.drain()).toHaveLength(1);
    expect(q.waitingRequests).toBe(0);
  });
});

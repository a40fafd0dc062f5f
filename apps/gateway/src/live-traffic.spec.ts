import { createLiveTraffic } from './live-traffic.ts';

describe('createLiveTraffic', () => {
  function clock(start = 1_000_000) {
    let t = start;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  }

  it('counts requests, errors, fallbacks and cancellations of a window, with nearest-rank latency percentiles of the answered ones', () => {
    const c = clock();
    const traffic = createLiveTraffic({ now: c.now });
    // 100 answered requests taking 1..100 ms, ending one after another.
    for (let ms = 1; ms <= 100; ms++) {
      const t = traffic.begin();
      c.advance(ms);
      t.end('ok', ms % 10 === 0);
    }
    const failed = traffic.begin();
    c.advance(5000);
    failed.end('error', false);
    traffic.begin().end('cancelled', false);
    const w = traffic.window(c.now() + 1, 60_000);
    expect(w).toMatchObject({ requests: 102, errors: 1, cancelled: 1, fallbacks: 10, p50Ms: 50, p95Ms: 95, p99Ms: 99 });
  });

  it('tracks requests in flight, and ends a ticket only once', () => {
    const traffic = createLiveTraffic();
    const a = traffic.begin();
    traffic.begin();
    expect(traffic.inFlight()).toBe(2);
    a.end('ok', false);
    a.end('error', false);
    expect(traffic.inFlight()).toBe(1);
    expect(traffic.window(Date.now() + 1, 60_000)).toMatchObject({ requests: 1, errors: 0 });
  });

  it('leaves requests outside the window out, and answers an empty window with zeros', () => {
    const c = clock();
    const traffic = createLiveTraffic({ now: c.now });
    traffic.begin().end('ok', false);
    c.advance(61_000);
    traffic.begin().end('error', false);
    expect(traffic.window(c.now() + 1, 60_000)).toMatchObject({ requests: 1, errors: 1, p50Ms: 0 });
    expect(traffic.window(c.now() - 120_000, 1000)).toMatchObject({ requests: 0, errors: 0, fallbacks: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0 });
  });

  it('splits a period into consecutive windows, oldest first', () => {
    const c = clock(0);
    const traffic = createLiveTraffic({ now: c.now });
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i <= s; i++) traffic.begin().end('ok', false);
      c.advance(1000);
    }
    const series = traffic.series(3000, 1000, 4);
    expect(series.map((w) => [w.endMs, w.requests])).toEqual([
      [0, 0],
      [1000, 1],
      [2000, 2],
      [3000, 3],
    ]);
  });

  it('forgets samples older than retainMs and keeps at most maxSamples', () => {
    const c = clock();
    const traffic = createLiveTraffic({ now: c.now, retainMs: 10_000, maxSamples: 2000 });
    for (let i = 0; i < 3000; i++) traffic.begin().end('ok', false);
    expect(traffic.window(c.now() + 1, 60_000).requests).toBeLessThanOrEqual(2000);
    c.advance(20_000);
    for (let i = 0; i < 2000; i++) traffic.begin().end('ok', false);
    expect(traffic.window(c.now() + 1, 60_000).requests).toBe(2000);
  });
});

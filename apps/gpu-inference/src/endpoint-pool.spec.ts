import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Code, type ConnectError } from '@connectrpc/connect';
import { closeUpstreamDispatchers } from '@sophia/openai-upstream';
import { createEndpointPool, type EndpointPool } from './endpoint-pool.ts';
import { createFakeVllm, type FakeVllm } from './testing/fake-vllm.ts';

async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function acquireError(pool: EndpointPool, model: string): ConnectError {
  try {
    pool.acquire(model);
  } catch (err) {
    return err as ConnectError;
  }
  throw new Error('acquire did not throw');
}

describe('createEndpointPool', () => {
  const fakes: FakeVllm[] = [];
  const pools: EndpointPool[] = [];
  const fake = async (init: Parameters<typeof createFakeVllm>[0]) => {
    const f = await createFakeVllm(init);
    fakes.push(f);
    return f;
  };
  const pool = (...args: Parameters<typeof createEndpointPool>) => {
    const p = createEndpointPool(...args);
    pools.push(p);
    return p;
  };
  afterEach(async () => {
    for (const p of pools.splice(0)) p.stop();
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });
  afterAll(() => closeUpstreamDispatchers());

  it('reads health, load and models from each endpoint', async () => {
    const a = await fake({ running: 4, waiting: 2, kv: 0.3, models: ['m', 'n'] });
    const p = pool({ urls: [`${a.url}/v1`] });
    expect(p.snapshot()[0]).toMatchObject({ healthy: false, lastError: 'not probed yet' });
    await p.refresh();
    expect(p.snapshot()).toEqual([
      { url: a.url, healthy: true, suspect: false, running: 4, waiting: 2, kvCacheUsage: 0.3, inFlightSinceScrape: 0, inFlight: 0, models: ['m', 'n'], lastError: '' },
    ]);
  });

  it('picks the least-loaded endpoint, counting its own requests since the last scrape, round-robin on ties', async () => {
    const busy = await fake({ running: 1, waiting: 1 });
    const idle = await fake({ running: 0, waiting: 0 });
    const p = pool({ urls: [busy.url, idle.url] });
    await p.refresh();
    const first = p.acquire('m'); // idle: 0 vs 2
    const second = p.acquire('m'); // idle: 1 vs 2
    expect([first.url, second.url]).toEqual([idle.url, idle.url]);
    // Both at load 2 now: alternate.
    const picks = [p.acquire('m').url, p.acquire('m').url];
    expect(new Set(picks)).toEqual(new Set([busy.url, idle.url]));
    first.release();
    expect(p.snapshot().find((e) => e.url === idle.url)).toMatchObject({ inFlight: 2, inFlightSinceScrape: 2 });
    // A scrape now includes our running requests; releasing them must not go below zero.
    idle.state.running = 2;
    await p.refresh();
    second.release();
    expect(p.snapshot().find((e) => e.url === idle.url)).toMatchObject({ running: 2, inFlight: 1, inFlightSinceScrape: 0 });
  });

  it('only picks endpoints serving the model', async () => {
    const a = await fake({ models: ['small'] });
    const b = await fake({ models: ['big'], running: 50 });
    const p = pool({ urls: [a.url, b.url] });
    await p.refresh();
    expect(p.acquire('big').url).toBe(b.url);
    const err = acquireError(p, 'huge');
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toBe(`no healthy GPU endpoint for model huge (2 endpoints: ${a.url} does not serve it; ${b.url} does not serve it)`);
  });

  it('fails at once with Unavailable for an empty pool', () => {
    const err = acquireError(pool({ urls: [] }), 'm');
    expect([err.code, err.rawMessage]).toEqual([Code.Unavailable, 'no healthy GPU endpoint for model m (0 endpoints)']);
  });

  it('moves endpoints between healthy and unhealthy with their /health answers', async () => {
    const a = await fake({});
    const down = await refusedUrl();
    const p = pool({ urls: [a.url, down], probeTimeoutMs: 1000 });
    await p.refresh();
    expect(p.snapshot().map((e) => e.healthy)).toEqual([true, false]);
    expect(p.snapshot()[1]!.lastError).toContain('cannot connect');
    a.state.healthy = false;
    await p.refresh();
    const err = acquireError(p, 'm');
    expect(err.rawMessage).toContain(`${a.url} unhealthy (upstream ${a.url}/health: HTTP 503 unavailable)`);
    expect(err.rawMessage).toContain(`${down} unhealthy (upstream ${down}/health: cannot connect (ECONNREFUSED))`);
    a.state.healthy = true;
    await p.refresh();
    expect(p.acquire('m').url).toBe(a.url);
  });

  it('treats unparseable metrics as a problem but keeps a healthy endpoint usable', async () => {
    const a = await fake({ metricsText: '<html>proxy error</html>' });
    const p = pool({ urls: [a.url] });
    await p.refresh();
    expect(p.snapshot()[0]).toMatchObject({ healthy: true });
    expect(p.snapshot()[0]!.lastError).toContain('metrics: metrics line 1: expected a metric name');
  });

  it('avoids a suspect endpoint while another is trusted, uses it as a last resort, and clears it on the next probe', async () => {
    const a = await fake({});
    const b = await fake({ running: 10 });
    const p = pool({ urls: [a.url, b.url] });
    await p.refresh();
    const lease = p.acquire('m');
    expect(lease.url).toBe(a.url);
    lease.release('HTTP 503');
    expect(p.snapshot()[0]).toMatchObject({ suspect: true, lastError: 'request failed: HTTP 503' });
    const next = p.acquire('m');
    expect(next.url).toBe(b.url); // despite its load
    next.release('stalled');
    expect(p.acquire('m').url).toBe(a.url); // all suspect: least loaded of them
    await p.refresh();
    expect(p.snapshot().map((e) => e.suspect)).toEqual([false, false]);
  });

  it('probes in the background until stopped', async () => {
    const a = await fake({});
    const p = pool({ urls: [a.url], healthIntervalMs: 10 });
    await p.start();
    expect(p.snapshot()[0]!.healthy).toBe(true);
    a.state.healthy = false;
    while (p.snapshot()[0]!.healthy) await new Promise((resolve) => setTimeout(resolve, 5));
    p.stop();
    const seen = a.server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(a.server.requests.length).toBe(seen);
  });

  it('names a bad URL', () => {
    expect(() => createEndpointPool({ urls: ['ftp://x'] })).toThrow('baseUrl: expected http(s), got "ftp:" in "ftp://x"');
  });
});

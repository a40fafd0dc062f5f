import { Registry } from 'prom-client';
import type { EndpointSnapshot } from './endpoint-pool.ts';
import { registerPoolGauges } from './pool-gauges.ts';

const endpoint = (url: string, inFlight: number, healthy: boolean): EndpointSnapshot => ({
  url,
  healthy,
  suspect: false,
  running: 0,
  waiting: 0,
  kvCacheUsage: 0,
  inFlightSinceScrape: 0,
  inFlight,
  models: [],
  lastError: '',
});

describe('pool gauges', () => {
  it('read lease counts and health from the pool at scrape time', async () => {
    const registry = new Registry();
    let endpoints = [endpoint('http://a', 2, true), endpoint('http://b', 0, false)];
    registerPoolGauges({ snapshot: () => endpoints }, registry);
    let text = await registry.metrics();
    expect(text).toContain('gpu_pool_inflight_requests{endpoint="http://a"} 2');
    expect(text).toContain('gpu_pool_healthy_endpoints 1');
    endpoints = [endpoint('http://a', 0, true), endpoint('http://b', 0, true)];
    text = await registry.metrics();
    expect(text).toContain('gpu_pool_inflight_requests{endpoint="http://a"} 0');
    expect(text).toContain('gpu_pool_healthy_endpoints 2');
  });
});

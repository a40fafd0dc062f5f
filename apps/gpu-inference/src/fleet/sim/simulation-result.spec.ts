import { roundResult } from './simulation-result.ts';

describe('roundResult', () => {
  it('keeps money to the micro-dollar, so a light trace is not printed as free, and hours to 1/1000', () => {
    const r = roundResult({ total_usd: 0.0000123, serverless_usd: 0.0000123, gpu_usd: 0, gpu_instance_hours: 0.12345, always_on_usd: 0.1471234, all_serverless_usd: 0.0000119, requests: 3, unserved_requests: 0.4 });
    expect(r).toEqual({ total_usd: 0.000012, serverless_usd: 0.000012, gpu_usd: 0, gpu_instance_hours: 0.123, always_on_usd: 0.147123, all_serverless_usd: 0.000012, requests: 3, unserved_requests: 0 });
  });
});

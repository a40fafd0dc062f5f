import { loadConfig } from '@sophia/platform';
import { gpuConfigSchema, gpuOptionsFromConfig } from './gpu-config.ts';

const parse = (env: Record<string, string>) => gpuOptionsFromConfig(loadConfig(gpuConfigSchema, { env }));

describe('gpu config', () => {
  it('reads the endpoint list, key, map and timeouts', () => {
    const { pool, handler } = parse({
      SOPHIA_GPU_BASE_URLS: 'http://10.0.0.5:8000, http://10.0.0.6:8000/v1',
      SOPHIA_GPU_API_KEY: 'k',
      SOPHIA_GPU_MODEL_MAP: 'meta-llama/Llama-3.1-70B-Instruct=llama-70b-fp8',
      SOPHIA_GPU_HEALTH_INTERVAL_MS: '1000',
    });
    expect(pool).toEqual({ urls: ['http://10.0.0.5:8000', 'http://10.0.0.6:8000/v1'], healthIntervalMs: 1000, probeTimeoutMs: 2000, apiKey: 'k' });
    expect(handler.timeouts).toEqual({ connectMs: 1000, firstTokenMs: 60000, stallMs: 20000, totalMs: 600000 });
    expect(handler.modelMap?.('meta-llama/Llama-3.1-70B-Instruct')).toBe('llama-70b-fp8');
  });

  it('reads the in-flight limits (per endpoint too) and the learned first-token bounds', () => {
    const { gates, ttft } = parse({ SOPHIA_GPU_MAX_INFLIGHT: '64', SOPHIA_GPU_ENDPOINT_MAX_INFLIGHT: 'http://10.0.0.5:8000/v1=8, http://10.0.0.6:8000=0', SOPHIA_GPU_FIRST_TOKEN_TIMEOUT_MS: '1500' });
    expect(gates).toEqual({ maxInFlight: 64, queueLimit: 256, perEndpoint: new Map([['http://10.0.0.5:8000', 8], ['http://10.0.0.6:8000', 0]]) });
    expect(ttft).toEqual({ minMs: 1500, maxMs: 1500 }); // a timeout below the default floor wins
    expect(parse({}).ttft).toEqual({ minMs: 2000, maxMs: 60000 });
    expect(() => parse({ SOPHIA_GPU_ENDPOINT_MAX_INFLIGHT: 'http://a:1=many' })).toThrow(
      expect.objectContaining({ problems: [expect.stringMatching(/^SOPHIA_GPU_ENDPOINT_MAX_INFLIGHT: expected "http\(s\):\/\/host:port=limit/)] }),
    );
  });

  it('allows an empty pool', () => {
    expect(parse({}).pool.urls).toEqual([]);
  });

  it('names bad keys', () => {
    expect(() => parse({ SOPHIA_GPU_BASE_URLS: 'http://ok:1,not a url', SOPHIA_GPU_MODEL_MAP: 'x' })).toThrow(
      expect.objectContaining({
        problems: [expect.stringMatching(/^SOPHIA_GPU_BASE_URLS\.1: each entry must be an http\(s\) URL/), expect.stringContaining('SOPHIA_GPU_MODEL_MAP: expected')],
      }),
    );
  });
});

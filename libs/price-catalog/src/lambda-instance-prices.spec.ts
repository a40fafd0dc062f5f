import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchLambdaInstancePrices, LambdaPriceError } from './lambda-instance-prices.ts';
import { priceUsage } from './price-usage.ts';
import { lambdaInstanceTypesResponse, testCatalog } from './testing/index.ts';
import { withGpuPrices } from './with-gpu-prices.ts';

describe('fetchLambdaInstancePrices (local server standing in for the Lambda Cloud API)', () => {
  let server: Server;
  let baseUrl: string;
  let reply: { status: number; body: string } = { status: 200, body: '' };
  const requests: IncomingMessage[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req);
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads price_cents_per_hour per instance type as micro-USD, with basic auth', async () => {
    reply = { status: 200, body: JSON.stringify(lambdaInstanceTypesResponse()) };
    const prices = await fetchLambdaInstancePrices({ apiKey: 'secret_key', baseUrl });
    expect(Object.fromEntries(prices)).toEqual({
      gpu_1x_h100_sxm5: 3_290_000,
      gpu_1x_h100_pcie: 2_490_000,
      gpu_1x_a10: 750_000,
      gpu_8x_h100_sxm5: 23_920_000,
      gpu_1x_gh200: 1_490_000,
    });
    const last = requests.at(-1)!;
    expect(last.url).toBe('/api/v1/instance-types');
    expect(last.headers.authorization).toBe(`Basic ${Buffer.from('secret_key:').toString('base64')}`);
  });

  it('fails with the URL and status, never the key', async () => {
    reply = { status: 401, body: '{"error":{"code":"global/invalid-api-key"}}' };
    const error = (await fetchLambdaInstancePrices({ apiKey: 'secret_key', baseUrl }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(LambdaPriceError);
    expect(error.message).toBe(`GET ${baseUrl}api/v1/instance-types: HTTP 401`);
    expect(error.message).not.toContain('secret_key');
  });

  it('names the path of a response of the wrong shape', async () => {
    const body = lambdaInstanceTypesResponse() as unknown as { data: Record<string, { instance_type: { price_cents_per_hour: unknown } }> };
    body.data['gpu_1x_a10']!.instance_type.price_cents_per_hour = '75';
    reply = { status: 200, body: JSON.stringify(body) };
    await expect(fetchLambdaInstancePrices({ apiKey: 'k', baseUrl })).rejects.toThrow('unexpected response at data.gpu_1x_a10.instance_type.price_cents_per_hour');
  });
});

describe('withGpuPrices', () => {
  it('reprices the named instance types and every GPU offer on them', () => {
    const catalog = testCatalog();
    const live = withGpuPrices(catalog, new Map([['gpu_1x_h100_sxm5', 3_290_000]]), 'lambda@2026-11-26T12:00:00Z');
    expect(live.version).toBe('test-1+lambda@2026-11-26T12:00:00Z');
    // 500 × 3,290,000 / (5000 × 3600) = 91.4 → 92 µ$ (was 120 at $4.29/h)
    expect(priceUsage(live, 'small', 'gpu', { promptTokens: 0, completionTokens: 500 })).toBe(92);
    expect(priceUsage(catalog, 'small', 'gpu', { promptTokens: 0, completionTokens: 500 })).toBe(120);
    expect(live.gpuInstances.find((g) => g.name === 'gpu_1x_a10')?.microUsdPerHour).toBe(1_290_000);
    expect(live.modelsForTier('simple').map((m) => m.id)).toEqual(['small', 'small-b']);
    expect(live.findModel('small')?.gpu?.instance.microUsdPerHour).toBe(3_290_000);
    expect(() => withGpuPrices(catalog, new Map([['x', -1]]), 's')).toThrow(RangeError);
  });
});

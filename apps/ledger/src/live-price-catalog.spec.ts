import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { priceUsage } from '@sophia/price-catalog';
import { lambdaInstanceTypesResponse, testCatalog } from '@sophia/price-catalog/testing';
import { createLivePriceCatalog } from './live-price-catalog.ts';

describe('createLivePriceCatalog (local server standing in for the Lambda Cloud API)', () => {
  let server: Server;
  let baseUrl: string;
  let status = 200;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(lambdaInstanceTypesResponse()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('prices GPU usage with the live $/hour and keeps serverless prices from the file', async () => {
    const file = testCatalog();
    const warn = jest.fn();
    const live = await createLivePriceCatalog({
      catalog: () => file,
      apiKey: 'k',
      baseUrl,
      refreshMs: 3_600_000,
      clock: () => new Date(Date.UTC(2026, 10, 26)),
      logger: { info: () => undefined, warn },
    });
    try {
      const catalog = live.current();
      expect(catalog.version).toBe('test-1+lambda@2026-11-26T00:00:00.000Z');
      expect(live.current()).toBe(catalog);
      // 500 × 3,290,000 / (5000 × 3600) → 92 µ$ ($3.29/h live instead of $4.29/h in the file)
      expect(priceUsage(catalog, 'small', 'gpu', { promptTokens: 0, completionTokens: 500 })).toBe(92);
      expect(priceUsage(catalog, 'small', 'serverless', { promptTokens: 1000, completionTokens: 500 })).toBe(45);
      status = 503;
      expect(await live.refresh()).toBe(false);
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ err: expect.stringContaining('HTTP 503') as string }), expect.any(String));
      expect(live.current()).toBe(catalog);
    } finally {
      live.close();
      status = 200;
    }
  });

  it('starts with the file prices when the API is unreachable', async () => {
    status = 500;
    const file = testCatalog();
    const live = await createLivePriceCatalog({ catalog: () => file, apiKey: 'k', baseUrl, refreshMs: 3_600_000 });
    expect(live.current()).toBe(file);
    live.close();
    status = 200;
  });
});

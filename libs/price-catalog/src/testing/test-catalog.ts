// A small catalog document for specs (this package's and other services'): one model per tier plus
// edge cases, with round numbers so expected costs can be worked out by hand.
import type { CatalogFile } from '../catalog-schema.ts';
import { parseCatalog } from '../parse-catalog.ts';
import type { PriceCatalog } from '../price-catalog.ts';

/** A fresh copy each call, so a spec can mutate it to provoke a validation error. */
export function testCatalogFile(): CatalogFile {
  return {
    version: 'test-1',
    source: 'spec fixture',
    models: [
      {
        id: 'small',
        tier: 'simple',
        ownedBy: 'test',
        contextWindow: 8192,
        maxOutputTokens: 1000,
        serverless: { providerModel: 'small-turbo', inputUsdPerMTok: 0.025, outputUsdPerMTok: 0.04, provider: 'together' },
        offers: [
          { provider: 'together', providerModel: 'small-turbo', inputUsdPerMTok: 0.02, outputUsdPerMTok: 0.04, features: ['tools', 'json', 'logprobs'], source: 'https://example.test/together', readOn: '2026-12-05' },
          { provider: 'fireworks', providerModel: 'accounts/f/small', inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.1, cachedInputUsdPerMTok: 0.05, features: ['tools', 'json'], source: 'https://example.test/fireworks', readOn: '2026-12-05' },
        ],
        gpu: { instanceType: 'gpu_1x_h100_sxm5', outputTokPerSec: 5000, servedModel: 'small' },
      },
      {
        id: 'small-b',
        tier: 'simple',
        ownedBy: 'test',
        contextWindow: 8192,
        maxOutputTokens: 1000,
        serverless: { providerModel: 'small-b', inputUsdPerMTok: 0.03, outputUsdPerMTok: 0.05 },
      },
      {
        id: 'mid',
        tier: 'balanced',
        ownedBy: 'test',
        contextWindow: 8192,
        maxOutputTokens: 2000,
        serverless: { providerModel: 'mid', inputUsdPerMTok: 0.12, outputUsdPerMTok: 0.3 },
        gpu: { instanceType: 'gpu_1x_h100_sxm5', outputTokPerSec: 420, servedModel: 'mid-fp8' },
      },
      {
        id: 'big',
        tier: 'complex',
        ownedBy: 'test',
        contextWindow: 8192,
        maxOutputTokens: 4000,
        gpu: { instanceType: 'gpu_1x_a10', outputTokPerSec: 1, servedModel: 'big' },
      },
    ],
    gpuInstances: [
      { name: 'gpu_1x_h100_sxm5', description: '1x H100', usdPerHour: 4.29 },
      { name: 'gpu_1x_a10', description: '1x A10', usdPerHour: 1.29 },
    ],
    tiers: { simple: ['small', 'small-b'], balanced: ['mid'], complex: ['big'] },
    providers: { together: { baseUrl: 'https://api.together.xyz/v1' }, fireworks: { baseUrl: 'https://api.fireworks.ai/inference/v1', http2: true } },
  };
}

/** The fixture parsed: small (serverless with together + fireworks offers, and gpu), small-b (serverless), mid (both), big (gpu at 1 tok/s on an A10). */
export function testCatalog(): PriceCatalog {
  return parseCatalog(testCatalogFile());
}

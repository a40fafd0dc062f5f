import { CatalogValidationError, type CatalogIssue } from './catalog-errors.ts';
import { loadCatalog } from './load-catalog.ts';
import { parseCatalog } from './parse-catalog.ts';
import { priceUsage } from './price-usage.ts';
import { testCatalogFile } from './testing/test-catalog.ts';

function issuesOf(json: unknown): readonly CatalogIssue[] {
  try {
    parseCatalog(json);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogValidationError);
    return (error as CatalogValidationError).issues;
  }
  throw new Error('expected the catalog to be rejected');
}

describe('provider offers', () => {
  it('parses each offer to integer micro-USD, the cached price defaulting to the input price and limits to the model', () => {
    const small = parseCatalog(testCatalogFile()).findModel('small')!;
    expect(small.offers.map((o) => [o.provider, o.inputMicroUsdPerMTok, o.outputMicroUsdPerMTok, o.cachedInputMicroUsdPerMTok, o.contextWindow, o.maxOutputTokens])).toEqual([
      ['together', 20_000, 40_000, 20_000, 8192, 1000],
      ['fireworks', 100_000, 100_000, 50_000, 8192, 1000],
    ]);
    expect([...small.offers[1]!.features]).toEqual(['tools', 'json']);
    expect(parseCatalog(testCatalogFile()).findModel('mid')!.offers).toEqual([]);
  });

  it('prices usage at the answering provider’s offer, else at the reference rate card', () => {
    const catalog = parseCatalog(testCatalogFile());
    const usage = { promptTokens: 1_000_000, completionTokens: 1_000_000 };
    expect(priceUsage(catalog, 'small', 'serverless', usage, 'fireworks')).toBe(200_000);
    expect(priceUsage(catalog, 'small', 'serverless', usage, 'together')).toBe(60_000);
    expect(priceUsage(catalog, 'small', 'serverless', usage, 'nobody')).toBe(65_000);
    expect(priceUsage(catalog, 'small', 'serverless', usage)).toBe(65_000);
  });

  it('names every bad offer by its JSON path', () => {
    const file = testCatalogFile();
    const offers = file.models[0]!.offers!;
    offers.push({ ...offers[0]!, provider: 'nobody' });
    offers.push({ ...offers[0]! });
    offers.push({ provider: 'fireworks', providerModel: 'x', inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.1, features: [] });
    offers.push({ ...offers[0]!, provider: 'together', maxOutputTokens: 9000 });
    const issues = issuesOf(file);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'models[0].offers[2].provider', message: "unknown provider 'nobody' (not in providers)" },
        { path: 'models[0].offers[3].provider', message: "duplicate offer from 'together' for model 'small'" },
        { path: 'models[0].offers[4]', message: expect.stringContaining('source and readOn') },
        { path: 'models[0].offers[5].maxOutputTokens', message: expect.stringContaining('contextWindow (8192)') },
      ]),
    );
  });

  it('rejects negative, non-numeric and sub-micro prices and unknown features with their paths', () => {
    const file = testCatalogFile() as unknown as { models: Array<{ offers: Array<Record<string, unknown>> }> };
    const offer = file.models[0]!.offers[0]!;
    offer['inputUsdPerMTok'] = -1;
    offer['outputUsdPerMTok'] = '0.2';
    offer['features'] = ['teleport'];
    offer['readOn'] = 'yesterday';
    const paths = issuesOf(file).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['models[0].offers[0].inputUsdPerMTok', 'models[0].offers[0].outputUsdPerMTok', 'models[0].offers[0].features[0]', 'models[0].offers[0].readOn']),
    );
  });

  it('bundled catalog: at least three provider offers per serverless model, every price sourced or marked an estimate', () => {
    const catalog = loadCatalog();
    for (const model of catalog.models.filter((m) => m.serverless !== undefined)) {
      expect([model.id, new Set(model.offers.map((o) => o.provider)).size >= 3]).toEqual([model.id, true]);
      for (const offer of model.offers) expect(offer.assumption !== undefined || (offer.source !== undefined && offer.readOn !== undefined)).toBe(true);
    }
  });
});

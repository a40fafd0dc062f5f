import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogValidationError, type CatalogIssue } from './catalog-errors.ts';
import { loadCatalog } from './load-catalog.ts';
import { formatJsonPath, parseCatalog } from './parse-catalog.ts';
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

describe('parseCatalog', () => {
  it('converts decimal USD to integer micro-USD', () => {
    const catalog = parseCatalog(testCatalogFile());
    expect(catalog.findModel('small')?.serverless).toEqual({
      provider: 'together',
      providerModel: 'small-turbo',
      inputMicroUsdPerMTok: 25_000,
      outputMicroUsdPerMTok: 40_000,
      cachedInputMicroUsdPerMTok: 25_000,
    });
    expect(catalog.findModel('mid')?.gpu?.instance.microUsdPerHour).toBe(4_290_000);
    expect(catalog.gpuInstances.map((g) => g.microUsdPerHour)).toEqual([4_290_000, 1_290_000]);
  });

  it('answers tier and id lookups in preference order', () => {
    const catalog = parseCatalog(testCatalogFile());
    expect(catalog.modelsForTier('simple').map((m) => m.id)).toEqual(['small', 'small-b']);
    expect(catalog.modelsForTier('complex').map((m) => m.id)).toEqual(['big']);
    expect(catalog.findModel('missing')).toBeUndefined();
  });

  it('returns an immutable catalog', () => {
    const catalog = parseCatalog(testCatalogFile());
    expect(Object.isFrozen(catalog)).toBe(true);
    expect(Object.isFrozen(catalog.models)).toBe(true);
    expect(Object.isFrozen(catalog.tiers.simple)).toBe(true);
  });

  it('names the JSON path of a wrongly typed field', () => {
    const file = testCatalogFile() as unknown as { models: Array<{ serverless: Record<string, unknown> }> };
    file.models[1]!.serverless['inputUsdPerMTok'] = '0.03';
    expect(issuesOf(file)).toEqual([expect.objectContaining({ path: 'models[1].serverless.inputUsdPerMTok' })]);
  });

  it('names a misspelt key instead of reading it as zero', () => {
    const file = testCatalogFile() as unknown as { models: Array<{ serverless: Record<string, unknown> }> };
    file.models[0]!.serverless['outputUsdPerMtok'] = 0.04;
    const issues = issuesOf(file);
    expect(issues.map((i) => i.path)).toContain('models[0].serverless');
    expect(issues.map((i) => i.message).join(' ')).toContain('outputUsdPerMtok');
  });

  it('reports every problem at once, each with its path', () => {
    const file = testCatalogFile();
    file.models[2]!.gpu!.instanceType = 'gpu_9x_imaginary';
    file.models[1]!.id = 'small';
    file.tiers.balanced.push('ghost');
    file.tiers.complex = ['mid'];
    file.gpuInstances[1]!.usdPerHour = 1.2900001;
    file.models[0]!.serverless!.provider = 'nowhere';
    const issues = issuesOf(file);
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'models[2].gpu.instanceType',
        'models[1].id',
        'tiers.balanced[1]',
        'tiers.complex[0]',
        'gpuInstances[1].usdPerHour',
        'models[0].serverless.provider',
        'models[3].tier',
      ]),
    );
    expect(issues.find((i) => i.path === 'gpuInstances[1].usdPerHour')?.message).toContain('at most 6 decimals');
    expect(issues.find((i) => i.path === 'tiers.complex[0]')?.message).toBe("model 'mid' has tier 'balanced'");
  });

  it('requires every model to be offered somewhere', () => {
    const file = testCatalogFile();
    delete file.models[1]!.serverless;
    expect(issuesOf(file)).toEqual([{ path: 'models[1]', message: "model 'small-b' has neither a serverless nor a gpu offer" }]);
  });

  it('rejects negative prices and non-integer throughput', () => {
    const file = testCatalogFile();
    file.models[0]!.serverless!.inputUsdPerMTok = -1;
    file.models[2]!.gpu!.outputTokPerSec = 420.5;
    expect(issuesOf(file).map((i) => i.path)).toEqual(['models[0].serverless.inputUsdPerMTok', 'models[2].gpu.outputTokPerSec']);
  });


  it('links GPU alternates to their instance types in order, and names an unknown or repeated one', () => {
    const file = testCatalogFile();
    file.models[2]!.gpu!.alternates = [{ instanceType: 'gpu_1x_a10', outputTokPerSec: 200, assumption: 'slower card' }];
    const gpu = parseCatalog(file).findModel('mid')?.gpu;
    expect(gpu?.alternates.map((a) => [a.instance.name, a.instance.microUsdPerHour, a.outputTokPerSec])).toEqual([['gpu_1x_a10', 1_290_000, 200]]);
    expect(parseCatalog(testCatalogFile()).findModel('mid')?.gpu?.alternates).toEqual([]);
    file.models[2]!.gpu!.alternates = [
      { instanceType: 'gpu_9x', outputTokPerSec: 1 },
      { instanceType: 'gpu_1x_h100_sxm5', outputTokPerSec: 1 },
    ];
    expect(issuesOf(file)).toEqual([
      { path: 'models[2].gpu.alternates[0].instanceType', message: "unknown instance type 'gpu_9x' (not in gpuInstances)" },
      { path: 'models[2].gpu.alternates[1].instanceType', message: "instance type 'gpu_1x_h100_sxm5' is listed twice for this model" },
    ]);
  });
  it('puts every issue in the error message', () => {
    expect(() => parseCatalog({ version: 'x' }, '/etc/catalog.json')).toThrow(
      /invalid price catalog \(\/etc\/catalog\.json\): source: .*; models: /,
    );
  });
});

describe('reference serverless price', () => {
  const withSmall = (serverless: unknown, offers?: unknown) => {
    const file = testCatalogFile() as { models: Array<Record<string, unknown>> };
    const small = file.models[0]!;
    if (serverless === undefined) delete small['serverless'];
    else small['serverless'] = serverless;
    if (offers !== undefined) small['offers'] = offers;
    return file;
  };

  it('is derived from the offers when the entry gives no prices: the cheapest at an equal mix, with its cached price', () => {
    // together 0.02/0.04 beats fireworks 0.1/0.1; the one-provider model name stays the entry's
    expect(parseCatalog(withSmall({ providerModel: 'small-any' })).findModel('small')?.serverless).toEqual({
      provider: 'together',
      providerModel: 'small-any',
      inputMicroUsdPerMTok: 20_000,
      outputMicroUsdPerMTok: 40_000,
      cachedInputMicroUsdPerMTok: 20_000,
    });
    // no serverless entry at all: derived too, with the cheapest offer's model name
    expect(parseCatalog(withSmall(undefined)).findModel('small')?.serverless).toMatchObject({ provider: 'together', providerModel: 'small-turbo', inputMicroUsdPerMTok: 20_000 });
  });

  it('moves with the offers: a cheaper offer becomes the reference', () => {
    const offers = [
      { provider: 'together', providerModel: 'small-turbo', inputUsdPerMTok: 0.5, outputUsdPerMTok: 0.5, features: [], source: 'https://example.test/t', readOn: '2026-12-05' },
      { provider: 'fireworks', providerModel: 'accounts/f/small', inputUsdPerMTok: 0.2, outputUsdPerMTok: 0.4, cachedInputUsdPerMTok: 0.1, features: [], source: 'https://example.test/f', readOn: '2026-12-05' },
    ];
    const s = parseCatalog(withSmall(undefined, offers)).findModel('small')?.serverless;
    expect(s).toEqual({ provider: 'fireworks', providerModel: 'accounts/f/small', inputMicroUsdPerMTok: 200_000, outputMicroUsdPerMTok: 400_000, cachedInputMicroUsdPerMTok: 100_000 });
  });

  it('names what is wrong: one price of two, nothing to derive from, a provider beside derived prices, a cached price above the input price', () => {
    expect(issuesOf(withSmall({ providerModel: 'x', inputUsdPerMTok: 0.1 }))).toContainEqual({ path: 'models[0].serverless', message: 'give both inputUsdPerMTok and outputUsdPerMTok, or neither (derived from offers)' });
    expect(issuesOf(withSmall({ providerModel: 'x' }, []))).toContainEqual({ path: 'models[0].serverless', message: 'needs inputUsdPerMTok and outputUsdPerMTok: the model lists no offers to derive them from' });
    expect(issuesOf(withSmall({ provider: 'together' }))).toContainEqual(expect.objectContaining({ path: 'models[0].serverless.provider' }));
    const dearCache = [{ provider: 'fireworks', providerModel: 'f', inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.1, cachedInputUsdPerMTok: 0.2, features: [], source: 'https://example.test/f', readOn: '2026-12-05' }];
    expect(issuesOf(withSmall(undefined, dearCache))).toContainEqual({ path: 'models[0].offers[0].cachedInputUsdPerMTok', message: 'exceeds inputUsdPerMTok (0.1)' });
  });

  it('bundled catalog: every model with offers has its reference derived from them (no second, stale figure)', () => {
    const raw = JSON.parse(readFileSync(join(__dirname, '../data/catalog.json'), 'utf8')) as { models: Array<{ id: string; offers?: unknown[]; serverless?: Record<string, unknown> }> };
    const explicit = raw.models.filter((m) => (m.offers ?? []).length > 0 && (m.serverless?.['inputUsdPerMTok'] !== undefined || m.serverless?.['outputUsdPerMTok'] !== undefined));
    expect(explicit.map((m) => m.id)).toEqual([]);
    const bundled = loadCatalog();
    for (const m of bundled.models) {
      if (m.offers.length === 0) continue;
      const cheapest = Math.min(...m.offers.map((o) => o.inputMicroUsdPerMTok + o.outputMicroUsdPerMTok));
      expect(m.serverless!.inputMicroUsdPerMTok + m.serverless!.outputMicroUsdPerMTok).toBe(cheapest);
    }
  });
});

describe('formatJsonPath', () => {
  it('renders array indexes and keys', () => {
    expect(formatJsonPath(['models', 3, 'gpu', 'instanceType'])).toBe('models[3].gpu.instanceType');
    expect(formatJsonPath([])).toBe('');
  });
});

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

  it('bundled catalog: at least three provider offers per serverless chat model (two per embeddings model), every price sourced or marked an estimate', () => {
    const catalog = loadCatalog();
    for (const model of catalog.models.filter((m) => m.serverless !== undefined)) {
      expect([model.id, new Set(model.offers.map((o) => o.provider)).size >= (model.kind === 'chat' ? 3 : 2)]).toEqual([model.id, true]);
      for (const offer of model.offers) expect(offer.assumption !== undefined || (offer.source !== undefined && offer.readOn !== undefined)).toBe(true);
    }
  });
});

import { CatalogValidationError, type CatalogIssue } from './catalog-errors.ts';
import { formatJsonPath, parseCatalog } from './parse-catalog.ts';
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

  it('puts every issue in the error message', () => {
    expect(() => parseCatalog({ version: 'x' }, '/etc/catalog.json')).toThrow(
      /invalid price catalog \(\/etc\/catalog\.json\): source: .*; models: /,
    );
  });
});

describe('formatJsonPath', () => {
  it('renders array indexes and keys', () => {
    expect(formatJsonPath(['models', 3, 'gpu', 'instanceType'])).toBe('models[3].gpu.instanceType');
    expect(formatJsonPath([])).toBe('');
  });
});

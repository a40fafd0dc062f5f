import { parseCatalog } from '@sophia/price-catalog';
import { testCatalog, testCatalogFile } from '@sophia/price-catalog/testing';
import { createCatalogHistory } from './catalog-history.ts';

describe('createCatalogHistory', () => {
  it('prices with the current catalog while it offers the pair, else the last one that did', () => {
    const first = testCatalog();
    let current = first;
    const history = createCatalogHistory(() => current);
    expect(history.forUsage('small', 'gpu')).toBe(first);

    const file = testCatalogFile();
    file.version = 'no-gpu-small';
    delete file.models[0]!.gpu;
    const second = parseCatalog(file);
    current = second;
    expect(history.forUsage('small', 'serverless')).toBe(second);
    expect(history.forUsage('small', 'gpu')).toBe(first);
    expect(history.forUsage('unknown', 'gpu')).toBe(second);
    expect(history.forUsage('small', undefined)).toBe(second);
    expect(history.current()).toBe(second);
  });
});

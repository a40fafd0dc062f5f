import { join } from 'node:path';
import { groupTableFamilies } from '@sophia/sql-core';
import { measureLinkingAt } from './measure-linking.ts';
import { buildSyntheticWarehouse, loadDomains } from './synthetic-warehouse.ts';

const domains = join(__dirname, '..', '..', 'corpus', 'linking', 'domains.json');

describe('generated warehouses', () => {
  it('are deterministic, of the asked size, with families and questions whose gold tables exist', () => {
    const a = buildSyntheticWarehouse(loadDomains(domains), 400);
    const b = buildSyntheticWarehouse(loadDomains(domains), 400);
    expect(a).toEqual(b);
    expect(a.tables).toHaveLength(400);
    const names = new Set(a.tables.map((t) => t.name));
    expect(a.questions.every((q) => q.gold.every((g) => names.has(g)))).toBe(true);
    expect(groupTableFamilies(a.tables).filter((u) => u.members.length > 1).length).toBeGreaterThanOrEqual(7);
  });
  it('link their questions well above the catalog-order baseline', () => {
    const f = measureLinkingAt(domains, 400);
    expect(f.questions).toBeGreaterThan(50);
    expect(f.recallAt5).toBeGreaterThan(0.85);
  });
});

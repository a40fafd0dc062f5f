import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCatalog } from './catalog.ts';
import { linkSchema } from './link-schema.ts';
import { contentTerms, splitWords, stem } from './text-terms.ts';

const catalog = parseCatalog(JSON.parse(readFileSync(join(__dirname, 'fixtures', 'test-catalog.json'), 'utf8')));
const names = (q: string, top = 5) => linkSchema(catalog, q, { top }).tables.map((t) => t.name);

describe('text terms', () => {
  it('splits snake_case, camelCase and punctuation', () => {
    expect(splitWords('ORDER_LINES')).toEqual(['order', 'lines']);
    expect(splitWords('customerId')).toEqual(['customer', 'id']);
    expect(splitWords('HTTPServer2x')).toEqual(['http', 'server2x']);
  });
  it('stems plurals and common suffixes', () => {
    expect(stem('categories')).toBe('category');
    expect(stem('orders')).toBe(stem('order'));
    expect(stem('boxes')).toBe('box');
    expect(contentTerms('How many singers are there?')).toEqual(['singer']);
  });
});

describe('linkSchema', () => {
  it('ranks the table named in the question first', () => {
    expect(names('How many products are in the garden category?')[0]).toBe('SALES.PUBLIC.PRODUCTS');
    expect(names('list all orders', 1)).toEqual(['SALES.PUBLIC.ORDERS']);
  });
  it('uses synonyms, descriptions and sample values', () => {
    expect(names('Which clients signed up last year?')[0]).toBe('SALES.PUBLIC.CUSTOMERS');
    expect(names('who lives in Japan?')[0]).toBe('SALES.PUBLIC.CUSTOMERS');
    const link = linkSchema(catalog, 'who lives in Japan?');
    expect(link.columns[0]).toMatchObject({ table: 'SALES.PUBLIC.CUSTOMERS', name: 'COUNTRY' });
    expect(link.columns[0]!.reasons).toContain('sample value "japan"');
  });
  it('pulls in foreign-key bridge tables', () => {
    const top3 = names('total quantity of each product per order', 3);
    expect(top3).toEqual(expect.arrayContaining(['SALES.PUBLIC.ORDER_LINES', 'SALES.PUBLIC.PRODUCTS', 'SALES.PUBLIC.ORDERS']));
  });
  it('returns `top` tables with reasons even when nothing matches', () => {
    const r = linkSchema(catalog, 'zzz', { top: 2 });
    expect(r.tables).toHaveLength(2);
    expect(r.tables.every((t) => t.score === 0 && Array.isArray(t.reasons))).toBe(true);
  });
});

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

describe('linkSchema on sharded families and big catalogs', () => {
  const shards = ['20201104', '20201105', '20201106', '20201107'].map((d) => ({
    name: `APP.ANALYTICS.EVENTS_${d}`,
    columns: [
      { name: 'EVENT_NAME', type: 'VARCHAR' },
      { name: 'EVENT_PARAMS', type: 'VARIANT', fields: ['key', 'value.string_value'] },
      { name: 'DEVICE', type: 'VARIANT', fields: ['category', 'operating_system'] },
    ],
  }));
  const copies = ['CRM', 'SUPPORT', 'BILLING', 'LEGACY', 'MARKETING'].map((s) => ({ name: `RAW.${s}.DEVICE`, columns: [{ name: 'ID', type: 'INT' }] }));
  const big = { tables: [...copies, ...shards, { name: 'APP.ANALYTICS.USERS', columns: [{ name: 'USER_ID', type: 'VARCHAR' }] }] };
  it('ranks a family as one unit and expands it to the shards the question dates name', () => {
    const r = linkSchema(big, 'Which operating systems sent events between 2020-11-05 and 2020-11-06?', { top: 3 });
    expect(r.tables.slice(0, 2).map((t) => t.name)).toEqual(['APP.ANALYTICS.EVENTS_20201105', 'APP.ANALYTICS.EVENTS_20201106']);
    expect(r.tables[0]!.family).toEqual({ pattern: 'APP.ANALYTICS.EVENTS_*', members: 4 });
    expect(r.tables[0]!.reasons).toContain('2 shard(s) for the dates asked');
  });
  it('offers the latest shard when the question names no date, found through VARIANT field paths', () => {
    const r = linkSchema(big, 'event parameter values by operating system', { top: 1 });
    expect(r.tables.map((t) => t.name)).toEqual(['APP.ANALYTICS.EVENTS_20201107']);
    expect(r.columns.some((c) => c.reasons.some((x) => x.startsWith('field path')))).toBe(true);
  });
  it('shows one copy of an entity before a second one', () => {
    const r = linkSchema(big, 'device list for users', { top: 3 });
    expect(r.tables.map((t) => t.name).filter((n) => n.endsWith('.DEVICE'))).toHaveLength(1);
    expect(r.tables.map((t) => t.name)).toContain('APP.ANALYTICS.USERS');
  });
});

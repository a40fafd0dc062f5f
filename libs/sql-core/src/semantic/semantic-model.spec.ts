import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { validateSql } from '../validate-sql.ts';
import { compilePlan, PlanError } from './compile-plan.ts';
import { planQuestion } from './plan-question.ts';
import { loadSemanticModelFile, parseSemanticModel, semanticModelCatalog, SemanticModelError } from './semantic-model.ts';
import { findTimePhrase } from './time-range.ts';

const models = join(fileURLToPath(new URL('.', import.meta.url)), '../../../../apps/sql/models');
const sales = loadSemanticModelFile(join(models, 'sales.yaml'));
const usage = loadSemanticModelFile(join(models, 'usage.yaml'));
const NOW = new Date('2026-11-26T15:00:00Z'); // a Thursday

function plan(model: typeof sales, q: string) {
  const p = planQuestion(model, q, NOW);
  if (p.kind !== 'plan') throw new Error(`expected a plan for "${q}", got ${JSON.stringify(p)}`);
  return p.plan;
}

describe('time phrases', () => {
  const range = (q: string) => {
    const r = findTimePhrase(q, NOW)?.range;
    return r && [r.start.toISOString().slice(0, 10), r.end.toISOString().slice(0, 10)];
  };
  it.each([
    ['revenue last quarter', ['2026-07-01', '2026-10-01']],
    ['revenue this quarter', ['2026-10-01', '2027-01-01']],
    ['usage this week', ['2026-11-23', '2026-11-30']],
    ['usage last week', ['2026-11-16', '2026-11-23']],
    ['cost last 7 days', ['2026-11-20', '2026-11-27']],
    ['cost in the past two weeks', ['2026-11-13', '2026-11-27']],
    ['last month', ['2026-10-01', '2026-11-01']],
    ['last year', ['2025-01-01', '2026-01-01']],
    ['year to date', ['2026-01-01', '2026-11-27']],
    ['today', ['2026-11-26', '2026-11-27']],
    ['yesterday', ['2026-11-25', '2026-11-26']],
  ])('%s', (q, expected) => expect(range(q)).toEqual(expected));
  it('finds none in a question without one', () => expect(findTimePhrase('revenue by region', NOW)).toBeUndefined());
  it('handles the first quarter of a year (last quarter is Q4 of the previous year)', () => {
    const r = findTimePhrase('last quarter', new Date('2026-02-10T00:00:00Z'))!.range;
    expect([r.start.toISOString(), r.end.toISOString()]).toEqual(['2025-10-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
  });
});

describe('planQuestion', () => {
  it('maps the demo question to revenue by category over last quarter', () => {
    const p = plan(sales, 'Show me revenue by product category for last quarter');
    expect(p.measures).toEqual(['revenue']);
    expect(p.dimensions).toEqual(['category']);
    expect(p.timeRange?.start.toISOString()).toBe('2026-07-01T00:00:00.000Z');
  });
  it('reads top N, grains and synonyms', () => {
    const p = plan(sales, 'top 3 products by sales this year');
    expect(p).toMatchObject({ measures: ['revenue'], dimensions: ['product'], limit: 3, orderBy: { field: 'revenue', direction: 'desc' } });
    expect(plan(sales, 'monthly revenue by region')).toMatchObject({ timeGrain: 'month', dimensions: ['region'] });
    expect(plan(sales, 'revenue by quarter')).toMatchObject({ timeGrain: 'quarter', dimensions: [] });
  });
  it('turns sample values and named filters into filters', () => {
    expect(plan(sales, 'order count of completed orders in the North region')).toMatchObject({ measures: ['order_count'], filters: ['completed_orders'], dimensionFilters: [{ dimension: 'region', values: ['North'] }] });
  });
  it('filters on a free value after "for <dimension>" (case-insensitive) instead of grouping', () => {
    const p = plan(usage, 'daily spend for tenant Acme last 7 days');
    expect(p).toMatchObject({ measures: ['cost_usd'], dimensions: [], timeGrain: 'day', dimensionFilters: [{ dimension: 'tenant', values: ['acme'], caseInsensitive: true }] });
    expect(compilePlan(usage, p).sql).toContain("LOWER(usage_events.tenant) IN ('acme')");
    expect(plan(usage, 'cost by tenant for model x1 this month')).toMatchObject({ dimensions: ['tenant'], dimensionFilters: [{ dimension: 'model', values: ['x1'] }] });
    expect(planQuestion(usage, 'cost by tenant for unknownthing', NOW)).toMatchObject({ kind: 'uncovered' });
  });
  it('finds the measure inside a filter phrase when none is named outright', () => {
    expect(plan(usage, 'failed requests by model this week')).toMatchObject({ measures: ['requests'], filters: ['failed_requests'], dimensions: ['model'] });
    expect(plan(sales, 'completed orders by region')).toMatchObject({ measures: ['order_count'], filters: ['completed_orders'] });
    expect(planQuestion(usage, 'fallbacks by backend', NOW)).toMatchObject({ kind: 'uncovered' });
  });
  it('explains bottom N as bottom', () => {
    expect(compilePlan(sales, plan(sales, 'bottom 3 categories by revenue')).explanation).toBe('Semantic model sales: revenue by category bottom 3 by revenue.');
  });
  it('lets one synonym name several measures', () => {
    expect(plan(usage, 'Show usage for this week by model')).toMatchObject({ measures: ['requests', 'total_tokens', 'cost_usd'], dimensions: ['model'] });
    expect(plan(usage, 'cost by tenant last 7 days')).toMatchObject({ measures: ['cost_usd'], dimensions: ['tenant'] });
  });
  it('answers verified questions exactly, whatever the case and punctuation', () => {
    const p = planQuestion(sales, 'what is our BEST selling product of all time', NOW);
    expect(p).toMatchObject({ kind: 'verified', name: 'best_selling_product_all_time' });
  });
  it('refuses questions with words the model does not know, or no measure', () => {
    expect(planQuestion(sales, 'revenue by favourite color', NOW)).toEqual({ kind: 'uncovered', reason: 'model sales does not know: favourite, color' });
    expect(planQuestion(sales, 'show me the regions', NOW)).toMatchObject({ kind: 'uncovered', reason: expect.stringContaining('no measure') });
  });
});

describe('compilePlan', () => {
  const catalog = semanticModelCatalog(sales);
  it('compiles joins along relationships and passes the validator', () => {
    const c = compilePlan(sales, plan(sales, 'Show me revenue by product category for last quarter'));
    expect(c.sql).toContain('JOIN PRODUCTS AS products ON order_items.product_id = products.product_id');
    expect(c.sql).toContain("orders.order_date >= CAST('2026-07-01' AS DATE) AND orders.order_date < CAST('2026-10-01' AS DATE)");
    expect(c.explanation).toBe('Semantic model sales: revenue by category for last quarter (order_date 2026-07-01 to 2026-09-30).');
    expect(validateSql(c.sql, catalog)).toMatchObject({ ok: true, tables: ['ORDER_ITEMS', 'PRODUCTS', 'ORDERS'] });
  });
  it('compiles epoch-ms time dimensions to integer bounds and grains to DATE_TRUNC(TO_TIMESTAMP)', () => {
    const c = compilePlan(usage, plan(usage, 'daily cost last 7 days'));
    expect(c.sql).toContain(`usage_events.time_ms >= ${Date.UTC(2026, 10, 20)} AND usage_events.time_ms < ${Date.UTC(2026, 10, 27)}`);
    expect(c.sql).toContain("DATE_TRUNC('day', CAST(TO_TIMESTAMP(usage_events.time_ms / 1000) AS TIMESTAMP)) AS request_time_day");
    expect(validateSql(c.sql, semanticModelCatalog(usage)).ok).toBe(true);
  });
  it('rejects unknown names with the field', () => {
    expect(() => compilePlan(sales, { measures: ['profit'] })).toThrow(new PlanError('measures[0]: unknown measure profit in model sales'));
    expect(() => compilePlan(sales, { measures: ['revenue'], orderBy: { field: 'x', direction: 'asc' } })).toThrow(/orderBy.field: x is not an output/);
    expect(() => compilePlan(sales, { measures: [] })).toThrow(/measures: at least one/);
  });
});

describe('parseSemanticModel', () => {
  const base = { name: 'm', tables: [{ name: 't', base_table: 'T', columns: { a: 'INTEGER' } }] };
  it('names the path of a bad field', () => {
    expect(() => parseSemanticModel({ ...base, name: 'Bad Name' })).toThrow(new SemanticModelError('semantic model: $.name: must be lower_snake_case (letters, digits, _)'));
  });
  it('checks relationship tables and columns and duplicate names', () => {
    expect(() => parseSemanticModel({ ...base, relationships: [{ name: 'r', left_table: 't', right_table: 'u', on: [['a', 'a']] }] })).toThrow(/relationships\[0\].right_table: unknown table u/);
    const dup = { name: 'm', tables: [{ name: 't', base_table: 'T', columns: { a: 'INTEGER' }, dimensions: [{ name: 'a', expr: 'a' }], measures: [{ name: 'a', expr: 'COUNT(*)' }] }] };
    expect(() => parseSemanticModel(dup)).toThrow(/measures\[0\].name: duplicate name a/);
  });
});

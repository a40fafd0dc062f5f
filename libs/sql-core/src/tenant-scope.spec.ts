import { parseCatalog } from './catalog.ts';
import { tenantRulesByName, type TenantScope } from './tenant-scope.ts';
import { validateSql } from './validate-sql.ts';

const catalog = parseCatalog({
  tables: [
    { name: 'MEM.MAIN.USAGE_EVENTS', columns: ['TENANT', 'MODEL', 'COST', 'API_KEY'].map((name) => ({ name, type: 'VARCHAR' })) },
    { name: 'MEM.MAIN.MODELS', columns: ['MODEL', 'TIER'].map((name) => ({ name, type: 'VARCHAR' })) },
  ],
});
const ruleFor = tenantRulesByName([{ table: 'USAGE_EVENTS', rule: { tenantColumn: 'tenant', restrictedColumns: ['api_key'] } }]);
const scope = (tenant: string | null): TenantScope => ({ tenant, ruleFor });
const v = (sql: string, tenant: string | null = 'acme') => validateSql(sql, catalog, { tenantScope: scope(tenant) });
const ONLY_ACME = `(SELECT * EXCLUDE (api_key) FROM MEM.MAIN.USAGE_EVENTS WHERE tenant = 'acme')`;

describe('tenant scope', () => {
  it.each([
    ['plain', 'SELECT model FROM usage_events', `SELECT model FROM ${ONLY_ACME} AS usage_events LIMIT 1000`],
    ['aliased, joined', 'SELECT u.model, m.tier FROM usage_events u JOIN models m ON m.model = u.model', `SELECT u.model, m.tier FROM ${ONLY_ACME} u JOIN MEM.MAIN.models m ON m.model = u.model LIMIT 1000`],
    ['qualified', 'SELECT COUNT(*) FROM mem.main.usage_events', `SELECT COUNT(*) FROM ${ONLY_ACME} AS usage_events LIMIT 1000`],
    ['subquery', 'SELECT model FROM models WHERE model IN (SELECT model FROM usage_events)', `SELECT model FROM MEM.MAIN.models WHERE model IN (SELECT model FROM ${ONLY_ACME} AS usage_events) LIMIT 1000`],
    ['CTE', 'WITH x AS (SELECT tenant, SUM(cost) c FROM usage_events GROUP BY 1) SELECT * FROM x', `WITH x AS (SELECT tenant, SUM(cost) c FROM ${ONLY_ACME} AS usage_events GROUP BY 1) SELECT * FROM x LIMIT 1000`],
    ['UNION', 'SELECT tenant FROM usage_events UNION ALL SELECT tenant FROM Usage_Events e', `SELECT tenant FROM ${ONLY_ACME} AS usage_events UNION ALL SELECT tenant FROM ${ONLY_ACME} e LIMIT 1000`],
    ['correlated EXISTS over a self-join', 'SELECT a.model FROM usage_events a WHERE EXISTS (SELECT 1 FROM usage_events b WHERE b.tenant <> a.tenant)', `SELECT a.model FROM ${ONLY_ACME} a WHERE EXISTS (SELECT 1 FROM ${ONLY_ACME} b WHERE b.tenant <> a.tenant) LIMIT 1000`],
    ['quoted, commented', 'SELECT * FROM mem . /* x */ main."USAGE_EVENTS"', `SELECT * FROM ${ONLY_ACME} AS "USAGE_EVENTS" LIMIT 1000`],
  ])('restricts every reference to the caller: %s', (_what, sql, out) => {
    const r = v(sql);
    expect(r.errors).toEqual([]);
    expect(r.sql).toBe(out);
    expect(r.tenantTables).toEqual(['MEM.MAIN.USAGE_EVENTS']);
  });
  it('refuses a statement where the table name stands outside a reference it rewrote (fail closed)', () => {
    expect(v('WITH usage_events AS (SELECT * FROM mem.main.usage_events) SELECT * FROM usage_events').errors).toEqual([
      "cannot restrict every reference to table MEM.MAIN.USAGE_EVENTS to the caller's tenant; qualify it or name it once per FROM",
    ]);
    expect(v('WITH usage_events AS (SELECT 1 AS x) SELECT x FROM usage_events').ok).toBe(true);
  });
  it('escapes the tenant in the literal', () => {
    expect(v('SELECT model FROM usage_events', "o'hara\\").sql).toContain(`WHERE tenant = 'o''hara\\\\'`);
  });
  it('refuses restricted columns however they are named', () => {
    expect(v('SELECT api_key FROM usage_events').errors).toEqual(['column API_KEY of MEM.MAIN.USAGE_EVENTS is only available to admin callers']);
    expect(v('SELECT u."API_KEY" FROM usage_events u').ok).toBe(false);
    expect(v('SELECT COUNT(DISTINCT api_key) FROM usage_events').ok).toBe(false);
    expect(v('SELECT model FROM usage_events WHERE api_key LIKE \'sk-%\'').ok).toBe(false);
  });
  it('refuses tenant tables to a call without a tenant, and leaves other tables alone', () => {
    expect(v('SELECT model FROM usage_events', null).errors).toEqual(['table MEM.MAIN.USAGE_EVENTS holds tenant data and this call carries no tenant']);
    expect(v('SELECT tier FROM models', null).sql).toBe('SELECT tier FROM MEM.MAIN.models LIMIT 1000');
  });
  it('reports tenant tables to admin callers without restricting them', () => {
    const r = validateSql('SELECT api_key FROM usage_events', catalog, { tenantRules: { ruleFor } });
    expect(r.sql).toBe('SELECT api_key FROM MEM.MAIN.usage_events LIMIT 1000');
    expect(r.tenantTables).toEqual(['MEM.MAIN.USAGE_EVENTS']);
  });
});

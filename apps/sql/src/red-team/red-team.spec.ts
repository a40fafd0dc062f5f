import { ConnectError } from '@connectrpc/connect';
import { loadSemanticModelFile } from '@sophia/sql-core';
import { createLogger } from '@sophia/platform';
import { createCachedCatalog } from '../catalog-source.ts';
import type { SqlGenerator } from '../llm-sql-generator.ts';
import { BUNDLED_MODELS } from '../sql-config.ts';
import { createSqlEngine, type CallInfo, type SqlEngine } from '../sql-engine.ts';
import { USAGE_EVENTS_DDL } from '../start-sql.ts';
import { createDuckDbSqlWarehouse, type DuckDbSqlWarehouse } from '../warehouse/duckdb-sql-warehouse.ts';
import { HOSTILE, type Hostile } from './red-team-corpus.ts';

const NOW = new Date('2026-11-26T15:00:00Z');
const ROW_LIMIT = 50;
// The victim's rows carry markers no answer to the attacker may contain.
const SECRET_COST = 9_000_000_000_000n;
const VICTIM_MARKERS = ['globex', 'sk-'];

/** A subverted LLM: it answers an injected question with exactly the SQL the attacker asked for. */
function obedientLlm(): SqlGenerator {
  const byQuestion = new Map(HOSTILE.filter((h) => h.question && h.llm).map((h) => [h.question!, h.llm!]));
  return { generate: async (p) => byQuestion.get(p.question) ?? 'SELECT * FROM usage_events' };
}

type Outcome = { kind: 'rejected'; message: string } | { kind: 'answered'; rows: (readonly unknown[])[]; sql: string };

async function attempt(engine: SqlEngine, h: Hostile, scope: string, call: CallInfo): Promise<Outcome> {
  const input = h.sql !== undefined ? { sql: h.sql, scope, rowLimit: ROW_LIMIT, timeoutMs: 3000 } : { question: h.question!, scope: '', rowLimit: ROW_LIMIT, timeoutMs: 3000 };
  const rows: (readonly unknown[])[] = [];
  let sql = '';
  try {
    for await (const e of engine.execute(input, call)) {
      if (e.kind === 'statement') sql = e.sql;
      if (e.kind === 'rows') rows.push(...e.rows);
    }
    return { kind: 'answered', rows, sql };
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err;
    return { kind: 'rejected', message: err.rawMessage };
  }
}

function leaks(rows: readonly (readonly unknown[])[]): string[] {
  const found: string[] = [];
  for (const row of rows) {
    for (const cell of row) {
      const text = typeof cell === 'bigint' ? String(cell) : JSON.stringify(cell);
      if (VICTIM_MARKERS.some((m) => text.includes(m))) found.push(text);
      if ((typeof cell === 'bigint' && cell >= SECRET_COST) || (typeof cell === 'number' && cell >= Number(SECRET_COST) / 1e6)) found.push(text);
    }
  }
  return found;
}

describe('red team: hostile statements and questions against a locked-down DuckDB with two tenants', () => {
  let warehouse: DuckDbSqlWarehouse;
  let engine: SqlEngine;
  const acme: CallInfo = { tenant: 'acme', admin: false };
  beforeAll(async () => {
    warehouse = await createDuckDbSqlWarehouse({
      path: ':memory:',
      setup: async (run) => {
        await run(USAGE_EVENTS_DDL);
        const t = NOW.getTime() - 3_600_000;
        // The victim's row first: an expression evaluated before the tenant filter would fail on it, naming it.
        await run(`INSERT INTO USAGE_EVENTS VALUES ('g1', 'globex', 'globex-secret-model', 'gpu', 'large', 900, 900, ${SECRET_COST}, 'v1', ${t}, 90, false, true, 'chat', 't', 'sk-globex-secret')`);
        await run(`INSERT INTO USAGE_EVENTS VALUES ('a1', 'acme', 'small-8b', 'serverless', 'small', 100, 50, 1500, 'v1', ${t}, 120, false, true, 'chat', 't', 'key-a1')`);
      },
    });
    const logger = createLogger({ service: 'red-team', level: 'silent' });
    engine = createSqlEngine({
      models: BUNDLED_MODELS.map((p) => loadSemanticModelFile(p)),
      warehouse,
      generator: obedientLlm(),
      maxRepairs: 1,
      clock: () => NOW,
      catalog: createCachedCatalog({ load: () => warehouse.describeCatalog(), ttlMs: 600_000, origin: 'red team', logger }),
      limits: { defaultRowLimit: ROW_LIMIT, maxRowLimit: ROW_LIMIT, defaultTimeoutMs: 3000, maxTimeoutMs: 3000 },
    });
  });
  afterAll(() => warehouse.close());

  it('has at least 100 entries, ten or more in every category', () => {
    const counts = new Map<string, number>();
    for (const h of HOSTILE) counts.set(h.category, (counts.get(h.category) ?? 0) + 1);
    expect(HOSTILE.length).toBeGreaterThanOrEqual(100);
    expect([...counts.values()].every((n) => n >= 10)).toBe(true);
    expect(counts.size).toBe(6);
  });

  // Caller SQL runs twice: on the usage model's scope and on the warehouse catalog (qualified names resolve there).
  const cases = HOSTILE.flatMap((h) => (h.sql !== undefined ? [['usage', h] as const, ['', h] as const] : [['', h] as const]));
  it.each(cases.map(([scope, h]) => [`${h.category}: ${h.why}${scope ? ` (scope ${scope})` : ''}`, scope, h] as const))('%s', async (_name, scope, h) => {
    const outcome = await attempt(engine, h, scope, acme);
    if (process.env.RED_TEAM_REPORT) console.log(`${outcome.kind}\t${h.category}\t${h.why}\t${scope}\t${outcome.kind === 'rejected' ? outcome.message.slice(0, 140) : JSON.stringify(outcome.rows).slice(0, 100)}`);
    if (outcome.kind === 'rejected') {
      // A precise error: the field, then the reason — and nothing of the other tenant in it.
      expect(outcome.message).toMatch(/^(sql|question|timeout_ms|scope|row_limit): .{10,}/);
      expect(VICTIM_MARKERS.filter((m) => outcome.message.includes(m))).toEqual([]);
      return;
    }
    expect(leaks(outcome.rows)).toEqual([]);
    expect(outcome.rows.length).toBeLessThanOrEqual(ROW_LIMIT);
    if (/usage_events/i.test(outcome.sql)) expect(outcome.sql).toContain("WHERE tenant = 'acme'");
  });

  it('answers the caller its own rows (the suite is not passing by rejecting everything)', async () => {
    const own = await attempt(engine, { category: 'cross-tenant reads', why: 'own', sql: 'SELECT tenant, model, cost_micro_usd FROM usage_events' }, 'usage', acme);
    expect(own).toMatchObject({ kind: 'answered', rows: [['acme', 'small-8b', 1500n]] });
    const admin = await attempt(engine, { category: 'cross-tenant reads', why: 'admin', sql: 'SELECT tenant FROM usage_events ORDER BY 1' }, 'usage', { tenant: 'ops', admin: true });
    expect(admin).toMatchObject({ kind: 'answered', rows: [['acme'], ['globex']] });
    // Warehouse errors lose their quoted values for non-admin callers (no promise of filter-first evaluation on every warehouse).
    const cast = await attempt(engine, { category: 'cross-tenant reads', why: 'cast', sql: 'SELECT CAST(tenant AS INT) FROM usage_events' }, 'usage', acme);
    expect(cast).toEqual({ kind: 'rejected', message: "sql: duckdb: Conversion Error: Could not convert string '…' to INT32 when casting from source column tenant" });
  });

  it('keeps files, settings and extensions closed even for SQL that skips the validator', async () => {
    const direct = async (sql: string): Promise<string> => {
      try {
        for await (const e of warehouse.query(sql, { maxRows: 5, timeoutMs: 3000 })) void e;
        return 'ran';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(await direct("SELECT * FROM read_csv('/etc/hostname')")).toMatch(/disabled by configuration/);
    expect(await direct("COPY (SELECT 1) TO '/tmp/sophia-red-team.csv'")).toMatch(/disabled by configuration/);
    expect(await direct('SET enable_external_access = true')).toMatch(/configuration has been locked/);
    expect(await direct('LOAD httpfs')).toMatch(/disabled/);
    expect(await direct("SELECT current_setting('enable_external_access')")).toBe('ran');
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCatalogIndex, loadCatalogFile, parseCatalog, tokenizeSql, TokenKind, validateSql, type Catalog, type CatalogIndex } from '@sophia/sql-core';

/** One corpus query: the SQL and the catalog (file name without `.json`) it runs against. */
interface CorpusQuery {
  readonly catalog: string;
  readonly sql: string;
  readonly note: string;
}

/** Acceptance of one query file, with every rejection listed. */
export interface CorpusFigures {
  readonly total: number;
  readonly accepted: number;
  readonly rejections: { id: string; note: string; sql: string; errors: string[] }[];
  /** Queries whose first catalog column was renamed (`x` → `x_zz`), and how many of those were rejected. */
  readonly mutants: number;
  readonly mutantsRejected: number;
}

/**
 * The Snowflake development corpus (apps/sql/corpus/snowflake): catalogs as exported (one with a
 * table whose DDL is missing), `queries.json` (development set) and `holdout.json` (written before
 * the validator changes it led to). Loads each catalog once with the tolerant loader.
 */
export function loadSnowflakeCorpus(dir: string): { catalogs: Map<string, CatalogIndex>; sets: Map<string, CorpusQuery[]> } {
  const catalogs = new Map<string, CatalogIndex>();
  for (const f of readdirSync(join(dir, 'catalogs')).filter((x) => x.endsWith('.json')).sort()) {
    catalogs.set(f.replace(/\.json$/, ''), createCatalogIndex(loadCatalogFile(join(dir, 'catalogs', f))));
  }
  const sets = new Map<string, CorpusQuery[]>();
  for (const name of ['queries', 'holdout']) sets.set(name, JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as CorpusQuery[]);
  return { catalogs, sets };
}

/** Renames the first word that is a column of the catalog (a validator that accepts everything scores 0). */
function mutate(sql: string, catalog: Catalog): string | null {
  const cols = new Set(catalog.tables.flatMap((t) => t.columns.map((c) => c.name.toUpperCase())));
  const tables = new Set(catalog.tables.flatMap((t) => t.name.split('.').map((p) => p.toUpperCase())));
  const tokens = tokenizeSql(sql);
  const i = tokens.findIndex((t) => t.kind === TokenKind.Word && cols.has(t.text.toUpperCase()) && !tables.has(t.text.toUpperCase()) && tokens[tokens.indexOf(t) - 1]?.text !== ':');
  if (i < 0) return null;
  return tokens.map((t, j) => (j === i ? `${t.text}_zz` : t.text)).join('');
}

/** Validates every query of a set against its catalog. */
export function measureCorpusSet(name: string, queries: readonly CorpusQuery[], catalogs: ReadonlyMap<string, CatalogIndex>): CorpusFigures {
  const rejections: CorpusFigures['rejections'] = [];
  let mutants = 0;
  let mutantsRejected = 0;
  queries.forEach((q, i) => {
    const index = catalogs.get(q.catalog);
    if (!index) throw new Error(`${name}[${i}]: unknown catalog ${q.catalog}`);
    const r = validateSql(q.sql, index);
    if (!r.ok) rejections.push({ id: `${name}-${i}`, note: q.note, sql: q.sql, errors: r.errors });
    const m = mutate(q.sql, index.catalog);
    if (m !== null && r.ok) {
      mutants++;
      if (!validateSql(m, index).ok) mutantsRejected++;
    }
  });
  return { total: queries.length, accepted: queries.length - rejections.length, rejections, mutants, mutantsRejected };
}

/** The adversarial corpus of sql-core (its test fixture): every statement must be rejected. */
export function measureAdversarial(fixturesDir: string): { total: number; rejected: number; accepted: string[] } {
  const catalog = parseCatalog(JSON.parse(readFileSync(join(fixturesDir, 'test-catalog.json'), 'utf8')));
  const unsafe = JSON.parse(readFileSync(join(fixturesDir, 'unsafe-corpus.json'), 'utf8')) as { sql: string; why: string }[];
  const index = createCatalogIndex(catalog, { allowedTables: ['SALES.PUBLIC.*'] });
  const accepted = unsafe.filter((u) => validateSql(u.sql, index).ok).map((u) => `${u.why}: ${u.sql}`);
  return { total: unsafe.length, rejected: unsafe.length - accepted.length, accepted };
}

/** Milliseconds to parse and index one catalog file of the corpus (for the report; no threshold). */
export function timeCatalogLoad(path: string): number {
  const t0 = performance.now();
  createCatalogIndex(loadCatalogFile(path));
  return performance.now() - t0;
}

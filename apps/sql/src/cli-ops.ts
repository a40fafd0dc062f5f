import {
  CatalogError,
  createCatalogIndex,
  linkSchema,
  loadCatalogFile,
  validateSql,
  type CatalogIndex,
  type ValidationResult,
} from '@sophia/sql-core';

/** JSON shape of `validate` (the external evaluation contract; keep stable). */
export interface ValidateOutput {
  ok: boolean;
  errors: string[];
  tables: string[];
  columns: string[];
  sql?: string;
  /** Present when some checks could not be made (a table whose columns the catalog does not know). */
  warnings?: string[];
}

/** JSON shape of `link`: table names best first. */
export interface LinkOutput {
  tables: string[];
}

/** A usage error (bad flag, unreadable catalog): exit code 2 with the message on stderr. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Dialects the CLI accepts (`--dialect`, batch `dialect`); the validator targets Snowflake only. */
export const SUPPORTED_DIALECTS = ['snowflake'] as const;

/**
 * Loads catalogs by path once; batch mode validates many statements against few catalogs. A catalog
 * loads tolerantly: what was left out or repaired is reported once to `report` (stderr in the CLI).
 */
export function createCatalogCache(report: (line: string) => void = () => {}): (path: string) => CatalogIndex {
  const cache = new Map<string, CatalogIndex>();
  return (path) => {
    const hit = cache.get(path);
    if (hit) return hit;
    let index: CatalogIndex;
    try {
      const catalog = loadCatalogFile(path);
      const problems = catalog.problems ?? [];
      if (problems.length > 0) report(`catalog ${path}: ${problems.length} problem(s), loaded without them: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}`);
      index = createCatalogIndex(catalog);
    } catch (err) {
      if (err instanceof CatalogError) throw new UsageError(err.message);
      throw err;
    }
    cache.set(path, index);
    return index;
  };
}

/** Throws a UsageError naming an unsupported dialect (absent means snowflake). */
export function checkDialect(dialect: string | undefined): void {
  if (dialect !== undefined && !(SUPPORTED_DIALECTS as readonly string[]).includes(dialect.toLowerCase())) {
    throw new UsageError(`unsupported dialect ${JSON.stringify(dialect)}: supported: ${SUPPORTED_DIALECTS.join(', ')}`);
  }
}

/** The `validate` operation: the validator verdict in the CLI's JSON shape (`sql` only when ok). */
export function runValidate(index: CatalogIndex, sql: string): ValidateOutput {
  const r: ValidationResult = validateSql(sql, index);
  const out: ValidateOutput = { ok: r.ok, errors: r.errors, tables: r.tables, columns: r.columns };
  if (r.ok && r.sql !== undefined) out.sql = r.sql;
  if (r.warnings?.length) out.warnings = r.warnings;
  return out;
}

/** The `link` operation: linked table names, best first. */
export function runLink(index: CatalogIndex, question: string, top: number): LinkOutput {
  return { tables: linkSchema(index.catalog, question, { top }).tables.map((t) => t.name) };
}

/** Parses a positive integer flag value or throws a UsageError naming the flag. */
export function parseTop(value: unknown, flag: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

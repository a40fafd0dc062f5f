import { createCatalogIndex, type CatalogIndex } from './catalog-index.ts';
import { type Catalog } from './catalog.ts';
import { applyEdits, type TextEdit } from './limit-rewrite.ts';
import { prescanSql } from './prescan-sql.ts';
import { resolveQuery, type TableRef } from './query-resolver.ts';
import { parseSnowflake } from './snowflake-parser.ts';
import { tenantEdits, type TenantScope } from './tenant-scope.ts';

/** The validator's verdict. `sql` is the statement to execute (LIMIT injected/capped) when ok. */
export interface ValidationResult {
  readonly ok: boolean;
  readonly errors: string[];
  /** Catalog tables the query reads (full catalog names), first-use order. */
  readonly tables: string[];
  /** Catalog columns the query references as `TABLE.COLUMN` (catalog spelling). */
  readonly columns: string[];
  readonly sql?: string;
  /** Checks that could not be made — e.g. columns of a table whose columns the catalog does not know. */
  readonly warnings?: string[];
  /** Tenant-scoped tables the statement reads (restricted to the caller's tenant when `tenantScope` was given). */
  readonly tenantTables?: string[];
}

/** Validation options; `maxRows` caps the result size (default 1000). */
export interface ValidateOptions {
  readonly maxRows?: number;
  readonly allowedTables?: readonly string[];
  /**
   * For callers without `admin`: every reference to a tenant-scoped table is replaced by the caller's
   * rows without restricted columns, and a statement naming a restricted column is rejected.
   */
  readonly tenantScope?: TenantScope;
  /** For admin callers: which tables are tenant-scoped (only reported in `tenantTables`, nothing restricted). */
  readonly tenantRules?: Pick<TenantScope, 'ruleFor'>;
}

export const DEFAULT_MAX_ROWS = 1000;
/** Longer statements are rejected before parsing (bounds parser time and recursion depth). */
export const MAX_SQL_LENGTH = 100_000;

/**
 * The safety boundary of the SQL service: accepts exactly one read-only SELECT/WITH statement whose
 * tables are in the catalog (and allowed scope) and whose columns exist, and returns it with a bounded
 * LIMIT. Layered: a token-level pre-scan (statement count, forbidden words, non-ASCII look-alikes; comments
 * are seen there and removed from the statement that runs) and then an AST
 * walk over node-sql-parser's snowflake grammar. Anything that does not parse is rejected.
 */
export function validateSql(sql: string, catalog: Catalog | CatalogIndex, options: ValidateOptions = {}): ValidationResult {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 1) throw new RangeError(`maxRows must be a positive integer, got ${maxRows}`);
  const index = 'resolveTable' in catalog ? catalog : createCatalogIndex(catalog, { allowedTables: options.allowedTables });
  if (sql.length > MAX_SQL_LENGTH) {
    return { ok: false, errors: [`statement is ${sql.length} characters; the limit is ${MAX_SQL_LENGTH}`], tables: [], columns: [] };
  }
  const pre = prescanSql(sql, maxRows, index.names);
  if (pre.errors.length > 0) return { ok: false, errors: pre.errors, tables: [], columns: [] };
  let parsed;
  try {
    parsed = parseSnowflake(pre.parseText);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { ok: false, errors: [`parse error: ${restoreQuoted(shorten(msg), pre.placeholders)}`], tables: [], columns: [] };
  }
  let res: ReturnType<typeof resolveQuery>;
  try {
    res = resolveQuery(parsed.ast, index, pre.placeholders, pre.aliasColumns);
  } catch (err) {
    // Fail closed: an unexpected AST shape or a stack overflow on a pathological query is a rejection.
    const msg = err instanceof Error ? err.message : String(err);
    return { ok: false, errors: [`validator could not analyse the statement: ${shorten(msg)}`], tables: [], columns: [] };
  }
  const errors = res.errors.map((e) => restoreQuoted(e, pre.placeholders));
  // Cross-check: every table the parser saw must have been visited by the resolver.
  for (const entry of parsed.tableList) {
    const [kind, , name] = entry.split('::');
    if (kind !== 'select') errors.push(`statement kind ${String(kind).toUpperCase()} is not allowed`);
    else if (name && !res.seenTableNames.has(name.toUpperCase()) && errors.length === 0) {
      errors.push(`table ${restoreQuoted(name, pre.placeholders)} was not resolved`);
    }
  }
  // Tenant-scoped references are rewritten whole (with their full name), the others qualified.
  const scope = options.tenantScope;
  const scopedRefs = scope ? res.tableRefs.filter((r) => scope.ruleFor(r.table)) : [];
  const qualify = qualifyEdits(res.tableRefs.filter((r) => !scopedRefs.includes(r)), pre.originOffsets);
  if (typeof qualify === 'string') errors.push(qualify);
  let tenant: TextEdit[] = [];
  if (scope) {
    for (const col of res.columns) {
      const at = col.lastIndexOf('.');
      const table = index.catalog.tables.find((t) => t.name === col.slice(0, at));
      const rule = table ? scope.ruleFor(table) : undefined;
      if (rule?.restrictedColumns.some((c) => c.toUpperCase() === col.slice(at + 1).toUpperCase())) errors.push(`column ${col.slice(at + 1)} of ${col.slice(0, at)} is only available to admin callers`);
    }
    const t = tenantEdits(scopedRefs, pre.tokens, pre.originOffsets, scope);
    if ('error' in t) errors.push(t.error);
    else tenant = t.edits;
  }
  const tenantTables = [...new Set(res.tableRefs.filter((r) => (scope ?? options.tenantRules)?.ruleFor(r.table)).map((r) => r.table.name))];
  const scopedInfo = tenantTables.length > 0 ? { tenantTables } : {};
  const warnings = res.warnings.length > 0 ? { warnings: res.warnings } : {};
  if (errors.length > 0) return { ok: false, errors, tables: res.tables, columns: res.columns, ...warnings, ...scopedInfo };
  // A comment inside a rewritten table reference goes with it.
  const outside = pre.limitEdits.filter((e) => !tenant.some((t) => e.start >= t.start && e.end <= t.end && e.start < t.end));
  const sqlOut = applyEdits(sql, [...outside, ...(qualify as TextEdit[]), ...tenant]);
  return { ok: true, errors: [], tables: res.tables, columns: res.columns, sql: sqlOut, ...warnings, ...scopedInfo };
}

const SIMPLE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * Pins every catalog table reference to its full catalog name by inserting the missing `DB.SCHEMA.`
 * prefix in front of what the query wrote, so the statement reads exactly the validated tables
 * whatever the session's current database/schema is. A reference that cannot be located fails closed.
 */
function qualifyEdits(refs: readonly TableRef[], origins: ReadonlyMap<number, number>): TextEdit[] | string {
  const edits: TextEdit[] = [];
  for (const ref of refs) {
    const parts = ref.table.name.split('.');
    const missing = parts.slice(0, parts.length - ref.writtenParts);
    if (missing.length === 0) continue;
    const at = ref.parseOffset === null ? undefined : origins.get(ref.parseOffset);
    if (at === undefined) return `cannot locate the reference to table ${ref.table.name} to qualify it`;
    const prefix = missing.map((p) => (SIMPLE_IDENTIFIER.test(p) ? p : `"${p.replaceAll('"', '""')}"`)).join('.');
    edits.push({ start: at, end: at, text: `${prefix}.` });
  }
  return edits;
}

function shorten(msg: string): string {
  return msg.length > 300 ? `${msg.slice(0, 300)}…` : msg;
}

function restoreQuoted(text: string, placeholders: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [ph, exact] of placeholders) out = out.replace(new RegExp(ph, 'gi'), `"${exact}"`);
  return out;
}

import { type Catalog, type CatalogColumn, type CatalogTable } from './catalog.ts';
import { identifierMatches, renderIdentifier, type Identifier } from './identifier.ts';

/** Outcome of resolving a table reference written in a query. */
export type TableResolution =
  | { readonly ok: true; readonly table: CatalogTable }
  | { readonly ok: false; readonly error: string };

/**
 * Name lookups over a catalog with Snowflake identifier rules. Exists so the validator and the linker
 * resolve `TABLE`, `SCHEMA.TABLE` and `DB.SCHEMA.TABLE` the same way.
 */
export interface CatalogIndex {
  readonly catalog: Catalog;
  /** Resolves a 1–3 part table reference; an ambiguous or unknown name is an error naming it. */
  resolveTable(parts: readonly Identifier[]): TableResolution;
  /** Finds a column of a table by a query identifier (exact for quoted, case-insensitive otherwise). */
  findColumn(table: CatalogTable, ref: Identifier): CatalogColumn | undefined;
  /** Whether the table is inside the allowed scope. */
  inScope(table: CatalogTable): boolean;
  /** Upper-cased names of every table part and column (lets the pre-scan tell names from keywords). */
  readonly names: ReadonlySet<string>;
}

/** Options: `allowedTables` limits the scope to these names; `DB.SCHEMA.*`-style patterns are allowed. */
export interface CatalogIndexOptions {
  readonly allowedTables?: readonly string[];
}

function splitName(name: string): string[] {
  return name.split('.');
}

function matchesPattern(tableName: string, pattern: string): boolean {
  const t = splitName(tableName).map((p) => p.toUpperCase());
  const p = splitName(pattern).map((x) => x.toUpperCase());
  if (p.length !== t.length) return false;
  return p.every((seg, i) => seg === '*' || seg === t[i]);
}

/** Builds the lookup structure once per catalog (the CLI caches it per catalog file). */
export function createCatalogIndex(catalog: Catalog, options: CatalogIndexOptions = {}): CatalogIndex {
  // Tables by upper-cased last name part: a reference is compared only with tables of that name,
  // so resolving stays constant-time on catalogs of thousands of tables.
  const byLast = new Map<string, { table: CatalogTable; parts: string[] }[]>();
  for (const t of catalog.tables) {
    const parts = splitName(t.name);
    const key = parts[parts.length - 1]!.toUpperCase();
    const list = byLast.get(key);
    if (list) list.push({ table: t, parts });
    else byLast.set(key, [{ table: t, parts }]);
  }
  const allowed = options.allowedTables;
  const names = new Set<string>();
  for (const t of catalog.tables) {
    for (const p of splitName(t.name)) names.add(p.toUpperCase());
    for (const c of t.columns) names.add(c.name.toUpperCase());
  }
  return {
    catalog,
    names,
    resolveTable(parts) {
      const written = parts.map(renderIdentifier).join('.');
      const lastPart = parts[parts.length - 1];
      const candidates = (lastPart ? (byLast.get(lastPart.text.toUpperCase()) ?? []) : []).filter(({ parts: tp }) => {
        if (parts.length > tp.length) return false;
        const tail = tp.slice(tp.length - parts.length);
        return parts.every((p, i) => identifierMatches(p, tail[i]!));
      });
      if (candidates.length === 0) return { ok: false, error: `unknown table ${written}: not in the catalog` };
      if (candidates.length > 1) {
        // Prefer an exact-case match among case-insensitive candidates before calling it ambiguous.
        const exact = candidates.filter(({ parts: tp }) =>
          parts.every((p, i) => p.text === tp[tp.length - parts.length + i]),
        );
        if (exact.length === 1) return { ok: true, table: exact[0]!.table };
        return {
          ok: false,
          error: `ambiguous table ${written}: matches ${candidates.map((c) => c.table.name).join(', ')}; qualify it`,
        };
      }
      return { ok: true, table: candidates[0]!.table };
    },
    findColumn(table, ref) {
      const matches = table.columns.filter((c) => identifierMatches(ref, c.name));
      if (matches.length <= 1) return matches[0];
      return matches.find((c) => c.name === ref.text) ?? matches[0];
    },
    inScope(table) {
      if (!allowed) return true;
      return allowed.some((p) => matchesPattern(table.name, p));
    },
  };
}

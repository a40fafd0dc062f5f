import type { Catalog, CatalogColumn, CatalogTable } from '@sophia/sql-core';

/** One INFORMATION_SCHEMA.COLUMNS row, as both engines report it (already ordered by table, then position). */
export interface InformationSchemaColumn {
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  readonly column: string;
  readonly type: string;
  readonly comment?: string | null | undefined;
}

/** One INFORMATION_SCHEMA.TABLES row (only the comment is used). */
export interface InformationSchemaTable {
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  readonly comment?: string | null | undefined;
}

/** What {@link catalogFromInformationSchema} reads. */
export interface InformationSchemaRows {
  readonly columns: readonly InformationSchemaColumn[];
  readonly tables?: readonly InformationSchemaTable[];
  /** Primary key columns by `DB.SCHEMA.TABLE`, in key order. */
  readonly primaryKeys?: ReadonlyMap<string, readonly string[]>;
}

const key = (database: string, schema: string, table: string): string => `${database}.${schema}.${table}`;

/**
 * Turns INFORMATION_SCHEMA rows (DuckDB or Snowflake) into a sql-core Catalog: tables named
 * `DB.SCHEMA.TABLE` exactly as reported (quoted identifiers keep their case), ordered by name,
 * columns in ordinal order with their reported type, comments as descriptions. A name part that
 * contains a dot cannot be written in the catalog's dotted name, so such tables are left out (and
 * therefore unreachable through the validator) — they are returned in `skipped` for the log.
 */
export function catalogFromInformationSchema(rows: InformationSchemaRows): { readonly catalog: Catalog; readonly skipped: readonly string[] } {
  const comments = new Map((rows.tables ?? []).map((t) => [key(t.database, t.schema, t.table), t.comment ?? '']));
  const byTable = new Map<string, CatalogColumn[]>();
  const skipped = new Set<string>();
  for (const r of rows.columns) {
    const name = key(r.database, r.schema, r.table);
    if ([r.database, r.schema, r.table].some((p) => p.includes('.') || p.trim() === '')) {
      skipped.add(name);
      continue;
    }
    let columns = byTable.get(name);
    if (!columns) byTable.set(name, (columns = []));
    columns.push({ name: r.column, type: r.type, ...(r.comment ? { description: r.comment } : {}) });
  }
  const tables: CatalogTable[] = [...byTable.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, columns]) => {
      const description = comments.get(name);
      const primaryKey = rows.primaryKeys?.get(name)?.filter((c) => columns.some((col) => col.name === c));
      return { name, ...(description ? { description } : {}), columns, ...(primaryKey && primaryKey.length > 0 ? { primaryKey } : {}) };
    });
  return { catalog: { tables }, skipped: [...skipped] };
}

import { readFileSync } from 'node:fs';
import { parseCatalog, type Catalog, type CatalogTable } from '@sophia/sql-core';

/** One database entry of Spider's tables.json (the fields the catalog needs). */
interface SpiderSchema {
  db_id: string;
  table_names_original: string[];
  table_names: string[];
  column_names_original: [number, string][];
  column_names: [number, string][];
  column_types: string[];
  primary_keys: (number | number[])[];
  foreign_keys: [number, number][];
}

/**
 * Converts Spider's tables.json into one catalog per database (table and column names kept exactly;
 * Spider's natural-language names become descriptions). Exists for the measurement command.
 */
export function loadSpiderCatalogs(tablesJsonPath: string, options: { schemaQualified?: boolean } = {}): Map<string, Catalog> {
  const schemas = JSON.parse(readFileSync(tablesJsonPath, 'utf8')) as SpiderSchema[];
  const out = new Map<string, Catalog>();
  for (const s of schemas) out.set(s.db_id, spiderSchemaToCatalog(s, options.schemaQualified ?? false));
  return out;
}

/** `schemaQualified` names tables `<db_id>.<table>` (the DuckDB schema each database is loaded into). */
function spiderSchemaToCatalog(s: SpiderSchema, schemaQualified: boolean): Catalog {
  const tables = s.table_names_original.map((name, ti) => ({
    name: schemaQualified ? `${s.db_id}.${name}` : name,
    description: s.table_names[ti] ?? name,
    columns: [] as { name: string; type: string; description: string }[],
    primaryKey: [] as string[],
    foreignKeys: [] as { columns: string[]; references: { table: string; columns: string[] } }[],
  }));
  const colTable: (number | undefined)[] = [];
  const colName: (string | undefined)[] = [];
  s.column_names_original.forEach(([ti, name], ci) => {
    const t = tables[ti];
    if (!t) return;
    if (t.columns.some((c) => c.name.toUpperCase() === name.toUpperCase())) return;
    t.columns.push({ name, type: s.column_types[ci] ?? 'text', description: s.column_names[ci]?.[1] ?? name });
    colTable[ci] = ti;
    colName[ci] = name;
  });
  for (const pk of s.primary_keys.flat()) {
    const ti = colTable[pk];
    const name = colName[pk];
    if (ti !== undefined && name !== undefined) tables[ti]!.primaryKey.push(name);
  }
  for (const [from, to] of s.foreign_keys) {
    const ft = colTable[from];
    const tt = colTable[to];
    if (ft === undefined || tt === undefined) continue;
    tables[ft]!.foreignKeys.push({ columns: [colName[from]!], references: { table: tables[tt]!.name, columns: [colName[to]!] } });
  }
  return parseCatalog({ tables: tables.filter((t) => t.columns.length > 0) satisfies CatalogTable[] });
}

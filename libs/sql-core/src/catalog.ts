import { z } from 'zod';

/** One column of a catalog table; `name` is kept exactly as the catalog spells it. */
export interface CatalogColumn {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
  readonly samples?: readonly unknown[];
  readonly synonyms?: readonly string[];
  /** Field paths inside a VARIANT/OBJECT column (`device.browser`, `items[].sku`): linking signals. */
  readonly fields?: readonly string[];
}

/** A foreign key from some columns of a table to columns of another catalog table. */
export interface CatalogForeignKey {
  readonly columns: readonly string[];
  readonly references: { readonly table: string; readonly columns: readonly string[] };
}

/** One table; `name` is `TABLE`, `SCHEMA.TABLE` or `DB.SCHEMA.TABLE`. */
export interface CatalogTable {
  readonly name: string;
  readonly description?: string;
  readonly synonyms?: readonly string[];
  readonly columns: readonly CatalogColumn[];
  readonly primaryKey?: readonly string[];
  readonly foreignKeys?: readonly CatalogForeignKey[];
  /**
   * The table's columns are not known (its DDL was not exported): it can be queried, but its column
   * references are not checked and validation results say so. `columns` is then empty.
   */
  readonly columnsUnknown?: boolean;
}

/** The tables the SQL service may query: the input of validation and schema linking. */
export interface Catalog {
  readonly tables: readonly CatalogTable[];
  /** What a tolerant load left out or repaired (JSON path and reason), for logs and reports. */
  readonly problems?: readonly string[];
}

const nameSchema = z.string().trim().min(1, 'must be a non-empty string');
const tableNameSchema = nameSchema.refine((n) => n.split('.').length <= 3 && n.split('.').every((p) => p.length > 0), {
  message: 'must be TABLE, SCHEMA.TABLE or DB.SCHEMA.TABLE',
});

const columnSchema = z.strictObject({
  name: nameSchema,
  type: nameSchema,
  description: z.string().optional(),
  samples: z.array(z.unknown()).optional(),
  synonyms: z.array(z.string()).optional(),
  fields: z.array(z.string()).optional(),
});

const tableSchema = z.strictObject({
  name: tableNameSchema,
  description: z.string().optional(),
  synonyms: z.array(z.string()).optional(),
  columns: z.array(columnSchema).min(1, 'a table needs at least one column'),
  primaryKey: z.array(nameSchema).optional(),
  foreignKeys: z
    .array(
      z.strictObject({
        columns: z.array(nameSchema).min(1),
        references: z.strictObject({ table: tableNameSchema, columns: z.array(nameSchema).min(1) }),
      }),
    )
    .optional(),
});

const catalogSchema = z.strictObject({ tables: z.array(tableSchema) });

/** Thrown when a catalog document is malformed; the message names the JSON path of each problem. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
}

export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

/**
 * Validates a parsed catalog document (the JSON format of the SQL service) and checks its internal
 * references (duplicate tables/columns, key columns that exist). Errors name the JSON path.
 */
export function parseCatalog(doc: unknown): Catalog {
  const parsed = catalogSchema.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${jsonPath(i.path)}: ${i.message}`);
    throw new CatalogError(`invalid catalog: ${issues.join('; ')}`);
  }
  const catalog: Catalog = parsed.data;
  const problems: string[] = [];
  const tableNames = new Set<string>();
  catalog.tables.forEach((t, ti) => {
    if (tableNames.has(t.name)) problems.push(`$.tables[${ti}].name: duplicate table "${t.name}"`);
    tableNames.add(t.name);
    const cols = new Set<string>();
    t.columns.forEach((c, ci) => {
      if (cols.has(c.name)) problems.push(`$.tables[${ti}].columns[${ci}].name: duplicate column "${c.name}"`);
      cols.add(c.name);
    });
    t.primaryKey?.forEach((k, ki) => {
      if (!cols.has(k)) problems.push(`$.tables[${ti}].primaryKey[${ki}]: no column "${k}" in "${t.name}"`);
    });
    t.foreignKeys?.forEach((fk, fi) => {
      fk.columns.forEach((k, ki) => {
        if (!cols.has(k)) problems.push(`$.tables[${ti}].foreignKeys[${fi}].columns[${ki}]: no column "${k}" in "${t.name}"`);
      });
    });
  });
  catalog.tables.forEach((t, ti) => {
    t.foreignKeys?.forEach((fk, fi) => {
      const target = catalog.tables.find((x) => x.name === fk.references.table);
      if (!target) {
        problems.push(`$.tables[${ti}].foreignKeys[${fi}].references.table: unknown table "${fk.references.table}"`);
        return;
      }
      fk.references.columns.forEach((k, ki) => {
        if (!target.columns.some((c) => c.name === k))
          problems.push(`$.tables[${ti}].foreignKeys[${fi}].references.columns[${ki}]: no column "${k}" in "${target.name}"`);
      });
    });
  });
  if (problems.length > 0) throw new CatalogError(`invalid catalog: ${problems.slice(0, 5).join('; ')}`);
  return catalog;
}

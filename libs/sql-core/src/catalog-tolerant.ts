import { readFileSync } from 'node:fs';
import { CatalogError, jsonPath, type Catalog, type CatalogColumn, type CatalogForeignKey, type CatalogTable } from './catalog.ts';

type Doc = Record<string, unknown>;

const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

function tableName(v: unknown): string | null {
  if (!nonEmpty(v)) return null;
  const name = v.trim();
  const parts = name.split('.');
  return parts.length <= 3 && parts.every((p) => p.length > 0) ? name : null;
}

/**
 * Reads a catalog document as warehouses export them: a table whose columns are missing or empty
 * loads with `columnsUnknown` (queried, not column-checked); a table that cannot be used (no valid
 * name, a duplicate) is left out; a bad column, key or description is dropped from its table. Each
 * repair is a `problems` entry naming the JSON path, so one bad table never fails the catalog. Only a
 * document that is not `{ "tables": [...] }` is an error.
 */
export function parseCatalogTolerant(doc: unknown): Catalog {
  if (!isDoc(doc) || !Array.isArray(doc.tables)) throw new CatalogError('invalid catalog: $.tables: expected an array of tables');
  const problems: string[] = [];
  const tables: CatalogTable[] = [];
  const seen = new Set<string>();
  doc.tables.forEach((raw: unknown, ti) => {
    const at = jsonPath(['tables', ti]);
    if (!isDoc(raw)) return void problems.push(`${at}: not an object; table left out`);
    const name = tableName(raw.name);
    if (name === null) return void problems.push(`${at}.name: must be TABLE, SCHEMA.TABLE or DB.SCHEMA.TABLE; table left out`);
    if (seen.has(name)) return void problems.push(`${at}.name: duplicate table "${name}"; the first one is kept`);
    seen.add(name);
    const columns: CatalogColumn[] = [];
    const colNames = new Set<string>();
    (Array.isArray(raw.columns) ? raw.columns : []).forEach((c: unknown, ci) => {
      const cat = `${at}.columns[${ci}]`;
      if (!isDoc(c) || !nonEmpty(c.name)) return void problems.push(`${cat}.name: must be a non-empty string; column left out`);
      const cname = c.name.trim();
      if (colNames.has(cname)) return void problems.push(`${cat}.name: duplicate column "${cname}" in "${name}"; the first one is kept`);
      colNames.add(cname);
      columns.push({
        name: cname,
        type: nonEmpty(c.type) ? c.type.trim() : 'UNKNOWN',
        ...(typeof c.description === 'string' ? { description: c.description } : {}),
        ...(Array.isArray(c.samples) ? { samples: c.samples } : {}),
        ...(strings(c.synonyms) ? { synonyms: strings(c.synonyms)! } : {}),
        ...(strings(c.fields) ? { fields: strings(c.fields)! } : {}),
      });
    });
    const primaryKey = strings(raw.primaryKey)?.filter((k) => colNames.has(k));
    const foreignKeys: CatalogForeignKey[] = [];
    (Array.isArray(raw.foreignKeys) ? raw.foreignKeys : []).forEach((fk: unknown, fi) => {
      const refs = isDoc(fk) && isDoc(fk.references) ? fk.references : null;
      const cols = isDoc(fk) ? strings(fk.columns) : undefined;
      const refCols = refs ? strings(refs.columns) : undefined;
      const refTable = refs ? tableName(refs.table) : null;
      if (!cols?.length || !refCols?.length || refTable === null || !cols.every((k) => colNames.has(k))) {
        return void problems.push(`${at}.foreignKeys[${fi}]: not a valid foreign key of "${name}"; left out`);
      }
      foreignKeys.push({ columns: cols, references: { table: refTable, columns: refCols } });
    });
    tables.push({
      name,
      ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
      ...(strings(raw.synonyms) ? { synonyms: strings(raw.synonyms)! } : {}),
      columns,
      ...(primaryKey?.length ? { primaryKey } : {}),
      ...(foreignKeys.length ? { foreignKeys } : {}),
      ...(columns.length === 0 ? { columnsUnknown: true } : {}),
    });
  });
  // A foreign key to a table that is not in the catalog carries no join path: dropped.
  const cleaned = tables.map((t) => {
    if (!t.foreignKeys) return t;
    const kept = t.foreignKeys.filter((fk) => seen.has(fk.references.table));
    if (kept.length < t.foreignKeys.length) problems.push(`table "${t.name}": ${t.foreignKeys.length - kept.length} foreign key(s) to tables not in the catalog left out`);
    const { foreignKeys: _dropped, ...rest } = t;
    return kept.length ? { ...rest, foreignKeys: kept } : rest;
  });
  return { tables: cleaned, problems };
}

/** Reads a catalog file tolerantly (see {@link parseCatalogTolerant}); I/O and JSON syntax errors are CatalogError naming the file. */
export function loadCatalogFile(path: string): Catalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CatalogError(`cannot read catalog file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CatalogError(`catalog file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseCatalogTolerant(doc);
  } catch (err) {
    throw new CatalogError(`${path}: ${(err as Error).message}`, { cause: err });
  }
}

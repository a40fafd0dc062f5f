import { readFileSync } from 'node:fs';
import { parseCatalog, prescanSql, parseSnowflake, type Catalog } from '@sophia/sql-core';

/** One defog sql-eval question with its gold Snowflake SQL alternatives (already expanded). */
export interface DefogItem {
  readonly db: string;
  readonly question: string;
  readonly gold: string[];
  readonly exampleQueries: string[];
}

/** Minimal RFC 4180 CSV reader (quoted fields with "" escapes and embedded newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * Expands defog's "either column set" template: `{a, b}` becomes `a, b` (all listed columns, which is
 * one of the accepted answers) and `GROUP BY {}` repeats the braces' contents. Several statements
 * separated by `;` in one gold cell are alternative answers, returned separately.
 */
export function expandDefogGold(query: string): string[] {
  const braces = /\{([^{}]*)\}/.exec(query)?.[1] ?? '';
  const expanded = query.replace(/\{\}/g, braces).replace(/\{([^{}]*)\}/g, '$1');
  return expanded
    .split(/;\s*(?=SELECT|WITH)/i)
    .map((q) => q.trim().replace(/;\s*$/, ''))
    .filter((q) => q.length > 0);
}

/** Reads questions_gen_snowflake.csv. */
export function loadDefogItems(csvPath: string): DefogItem[] {
  const rows = parseCsv(readFileSync(csvPath, 'utf8'));
  const header = rows[0] ?? [];
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${csvPath}: missing column ${name}`);
    return i;
  };
  const [qi, si, di, ki] = [col('question'), col('query'), col('db_name'), col('k_shot_prompt')];
  return rows.slice(1).filter((r) => r.length > si).map((r) => ({
    db: r[di]!,
    question: r[qi]!,
    gold: expandDefogGold(r[si]!),
    exampleQueries: [...(r[ki] ?? '').matchAll(/EXAMPLE QUERY \d+: (.+)/g)].map((m) => expandDefogGold(m[1]!)).flat(),
  }));
}

/**
 * The defog CSV ships no schema, so a catalog per database is derived from the gold and example
 * queries: tables from FROM clauses, columns from references (aliases mapped back to tables; an
 * unqualified column goes to the query's only table, else to the first table of the query that is
 * known to have it, else to the first table). The measurement says so: on defog, column existence
 * checks are partly circular; parser coverage and safety rules are what is measured.
 */
export function deriveDefogCatalogs(items: readonly DefogItem[]): Map<string, Catalog> {
  const perDb = new Map<string, Map<string, Set<string>>>();
  const pending: { db: string; tables: string[]; col: string }[] = [];
  for (const item of items) {
    const tables = perDb.get(item.db) ?? new Map<string, Set<string>>();
    perDb.set(item.db, tables);
    for (const q of [...item.gold, ...item.exampleQueries]) {
      const pre = prescanSql(q, 1000);
      let parsed;
      try {
        parsed = parseSnowflake(pre.parseText);
      } catch {
        continue;
      }
      const aliasToTable = new Map<string, string>();
      const selectAliases = new Set<string>();
      const queryTables: string[] = [];
      collect(parsed.ast, (node) => {
        if (typeof node.table === 'string' && ('as' in node || 'surround' in node) && node.type !== 'column_ref') {
          const t = node.table.toLowerCase();
          if (!queryTables.includes(t)) queryTables.push(t);
          if (typeof node.as === 'string') aliasToTable.set(node.as.toLowerCase(), t);
          if (!tables.has(t)) tables.set(t, new Set());
        }
        if (node.type === 'expr' && typeof node.as === 'string') selectAliases.add(node.as.toLowerCase());
      });
      const cteNames = new Set<string>();
      collect(parsed.ast, (node) => {
        if (Array.isArray(node.with)) for (const w of node.with) if (w?.name?.value) cteNames.add(String(w.name.value).toLowerCase());
      });
      for (const c of cteNames) tables.delete(c);
      const realTables = queryTables.filter((t) => !cteNames.has(t));
      collect(parsed.ast, (node) => {
        if (node.type !== 'column_ref' || typeof node.column !== 'string' || node.column === '*') return;
        const col = node.column.toLowerCase();
        if (typeof node.table === 'string' && !(Array.isArray(node.notations) && node.notations.includes(':'))) {
          const t = aliasToTable.get(node.table.toLowerCase()) ?? node.table.toLowerCase();
          if (tables.has(t)) tables.get(t)!.add(col);
        } else if (!node.table && !selectAliases.has(col) && realTables.length > 0) {
          pending.push({ db: item.db, tables: realTables, col });
        }
      });
    }
  }
  for (const p of pending) {
    const tables = perDb.get(p.db)!;
    if (p.tables.some((t) => tables.get(t)?.has(p.col))) continue;
    tables.get(p.tables[0]!)?.add(p.col);
  }
  const out = new Map<string, Catalog>();
  for (const [db, tables] of perDb) {
    out.set(db, parseCatalog({
      tables: [...tables.entries()].filter(([, cols]) => cols.size > 0).map(([name, cols]) => ({
        name: `public.${name}`,
        columns: [...cols].map((c) => ({ name: c, type: 'unknown' })),
      })),
    }));
  }
  return out;
}

type Loose = Record<string, unknown> & { with?: { name?: { value?: unknown } }[]; notations?: unknown };

function collect(value: unknown, visit: (node: Loose) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) collect(v, visit);
  } else if (typeof value === 'object' && value !== null) {
    visit(value as Loose);
    for (const v of Object.values(value)) collect(v, visit);
  }
}

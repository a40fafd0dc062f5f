import { tokenizeSql, TokenKind, type Catalog } from '@sophia/sql-core';

/**
 * Spider's gold SQL is SQLite, where `"APG"` is a string literal; in Snowflake it is an identifier.
 * For measurement only, a double-quoted token that names no catalog table or column is rewritten to a
 * single-quoted literal. The validator itself never does this.
 */
export function sqliteToSnowflakeLiterals(sql: string, catalog: Catalog): string {
  const names = new Set<string>();
  for (const t of catalog.tables) {
    names.add(t.name);
    for (const c of t.columns) names.add(c.name);
  }
  let tokens;
  try {
    tokens = tokenizeSql(sql);
  } catch {
    return sql;
  }
  return tokens
    .map((t) => (t.kind === TokenKind.QuotedIdent && !names.has(t.value) ? `'${t.value.replaceAll("'", "''")}'` : t.text))
    .join('');
}

import { type CatalogTable } from './catalog.ts';
import { type TextEdit } from './limit-rewrite.ts';
import { type TableRef } from './query-resolver.ts';
import { TokenKind, type Token } from './sql-tokenizer.ts';

/** How one table is shared between tenants. */
export interface TenantRule {
  /** Column holding the row's tenant. */
  readonly tenantColumn: string;
  /** Columns a non-admin caller never gets (API keys). */
  readonly restrictedColumns: readonly string[];
}

/**
 * What a non-admin caller may read: `tenant` is the caller's tenant (null when the call carries
 * none: tenant-scoped tables are then refused), `ruleFor` says which catalog tables are tenant-scoped.
 */
export interface TenantScope {
  readonly tenant: string | null;
  ruleFor(table: CatalogTable): TenantRule | undefined;
}

/** Tenant rules declared on tables named by `names` (1–3 parts, matched as a case-insensitive suffix of the catalog name). */
export function tenantRulesByName(rules: readonly { readonly table: string; readonly rule: TenantRule }[]): (table: CatalogTable) => TenantRule | undefined {
  const parsed = rules.map((r) => ({ parts: r.table.split('.').map((p) => p.toUpperCase()), rule: r.rule }));
  return (table) => {
    const full = table.name.split('.').map((p) => p.toUpperCase());
    return parsed.find(({ parts }) => parts.length <= full.length && parts.every((p, i) => p === full[full.length - parts.length + i]))?.rule;
  };
}

const SIMPLE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const quoteIdent = (p: string): string => (SIMPLE_IDENTIFIER.test(p) ? p : `"${p.replaceAll('"', '""')}"`);
const quoteString = (v: string): string => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

/** Result of {@link tenantEdits}: edits replacing each scoped table reference, or the reason it cannot be scoped. */
export type TenantEdits = { readonly edits: TextEdit[]; readonly scoped: Set<string> } | { readonly error: string };

/**
 * Replaces every reference to a tenant-scoped table — wherever it is: a join, a subquery, a CTE
 * body, a UNION branch, a correlated EXISTS — by a derived table that holds only the caller's rows
 * and none of the restricted columns: `(SELECT * EXCLUDE (api_key) FROM DB.S.T WHERE tenant = 'a') AS t`.
 * The validator has already resolved each reference to its catalog table, so no reference is missed;
 * a reference it cannot locate in the text fails closed.
 */
export function tenantEdits(refs: readonly TableRef[], tokens: readonly Token[], origins: ReadonlyMap<number, number>, scope: TenantScope): TenantEdits {
  const edits: TextEdit[] = [];
  const scoped = new Set<string>();
  const byStart = new Map(tokens.map((t, i) => [t.start, i]));
  for (const ref of refs) {
    const rule = scope.ruleFor(ref.table);
    if (!rule) continue;
    if (scope.tenant === null || scope.tenant === '') return { error: `table ${ref.table.name} holds tenant data and this call carries no tenant` };
    const at = ref.parseOffset === null ? undefined : origins.get(ref.parseOffset);
    const first = at === undefined ? undefined : byStart.get(at);
    if (first === undefined) return { error: `cannot locate the reference to table ${ref.table.name} to restrict it to the caller's tenant` };
    let i: number = first;
    let end = tokens[i]!.end;
    let last = tokens[i]!;
    for (let part = 1; part < ref.writtenParts; part++) {
      // name . name (whitespace and comments between are allowed by Snowflake)
      let j: number = i + 1;
      while (tokens[j] && (tokens[j]!.kind === TokenKind.Whitespace || tokens[j]!.kind === TokenKind.Comment)) j++;
      if (tokens[j]?.text !== '.') return { error: `cannot locate the reference to table ${ref.table.name} to restrict it to the caller's tenant` };
      j++;
      while (tokens[j] && (tokens[j]!.kind === TokenKind.Whitespace || tokens[j]!.kind === TokenKind.Comment)) j++;
      if (!tokens[j] || (tokens[j]!.kind !== TokenKind.Word && tokens[j]!.kind !== TokenKind.QuotedIdent)) return { error: `cannot locate the reference to table ${ref.table.name} to restrict it to the caller's tenant` };
      i = j;
      last = tokens[j]!;
      end = last.end;
    }
    const excluded = rule.restrictedColumns.filter((c) => ref.table.columns.some((x) => x.name.toUpperCase() === c.toUpperCase()));
    const columns = excluded.length > 0 ? `* EXCLUDE (${excluded.map(quoteIdent).join(', ')})` : '*';
    const name = ref.table.name.split('.').map(quoteIdent).join('.');
    const alias = ref.aliased ? '' : ` AS ${last.text}`;
    edits.push({ start: at!, end, text: `(SELECT ${columns} FROM ${name} WHERE ${quoteIdent(rule.tenantColumn)} = ${quoteString(scope.tenant)})${alias}` });
    scoped.add(ref.table.name);
  }
  const stray = strayReference(tokens, edits, refs.filter((r) => scope.ruleFor(r.table)).map((r) => r.table.name));
  if (stray) return { error: `cannot restrict every reference to table ${stray} to the caller's tenant; qualify it or name it once per FROM` };
  return { edits, scoped };
}

/**
 * Fail-closed cross-check: a word naming a tenant-scoped table (its last name part) that is not inside
 * a rewritten reference, not a column qualifier (`t.col`) and not an alias after AS would be a
 * reference the walk did not see. The statement is then refused rather than run unrestricted.
 */
function strayReference(tokens: readonly Token[], edits: readonly TextEdit[], tables: readonly string[]): string | undefined {
  const names = new Map(tables.map((t) => [t.split('.').pop()!, t]));
  const sig = tokens.filter((t) => t.kind !== TokenKind.Whitespace && t.kind !== TokenKind.Comment);
  for (let i = 0; i < sig.length; i++) {
    const t = sig[i]!;
    if (t.kind !== TokenKind.Word && t.kind !== TokenKind.QuotedIdent) continue;
    const table = [...names].find(([n]) => (t.kind === TokenKind.QuotedIdent ? t.value === n : t.value.toUpperCase() === n.toUpperCase()))?.[1];
    if (!table) continue;
    if (edits.some((e) => t.start >= e.start && t.end <= e.end)) continue;
    if (sig[i + 1]?.text === '.' || sig[i - 1]?.text === '.' || sig[i - 1]?.text.toUpperCase() === 'AS') continue;
    return table;
  }
  return undefined;
}

import { type CatalogTable } from './catalog.ts';
import { type CatalogIndex } from './catalog-index.ts';
import {
  DATE_PART_ARG,
  DATE_PARTS,
  isNode,
  referencesTable,
  TABLE_FUNCTION_COLUMNS,
  tableFunctionCall,
  type Node,
} from './ast-helpers.ts';
import { isAllowedFunction, MAX_SIZE_ARGUMENT, SIZE_ARGUMENTS } from './function-allowlist.ts';
import { identifierMatches, renderIdentifier, type Identifier } from './identifier.ts';


/**
 * Stands in the output columns of a source whose columns are not known (a catalog table with
 * `columnsUnknown`, or a CTE/subquery selecting `*` from one): any column name resolves against it.
 */
const ANY_COLUMN: Identifier = Object.freeze({ text: '*', quoted: true });

/** A row source visible in a query: a catalog table, a CTE/subquery, or a FLATTEN output. */
interface Source {
  readonly alias: Identifier | null;
  readonly table: CatalogTable | null;
  /** Output column names (catalog names for tables, derived names for CTEs/subqueries). */
  readonly columns: readonly Identifier[];
  readonly label: string;
}

interface Scope {
  readonly sources: Source[];
  readonly hasFrom: boolean;
  /** A FROM item failed to resolve: its error is reported, so unknown columns here are not. */
  broken: boolean;
  readonly selectAliases: Identifier[];
  readonly usingColumns: Identifier[];
  readonly parent: Scope | null;
  readonly ctes: ReadonlyMap<string, readonly Identifier[]>;
}

/** A catalog table reference in FROM/JOIN: where it starts in the parser input and how many parts it has. */
export interface TableRef {
  readonly parseOffset: number | null;
  readonly writtenParts: number;
  readonly table: CatalogTable;
  /** Whether the FROM item has an alias (`USAGE_EVENTS u`). */
  readonly aliased: boolean;
}

/** What a validated query references, in first-use order. */
export interface Resolution {
  readonly errors: string[];
  readonly tables: string[];
  readonly columns: string[];
  readonly tableRefs: TableRef[];
  /** Checks that could not be made (columns of a table with unknown columns), stated to the caller. */
  readonly warnings: string[];
}

function sameIdent(a: Identifier, b: Identifier): boolean {
  if (a.quoted && b.quoted) return a.text === b.text;
  return a.text.toUpperCase() === b.text.toUpperCase();
}

/**
 * Walks a node-sql-parser AST of one SELECT (with CTEs, subqueries, set operations, FLATTEN) and
 * resolves every table against the catalog and every column against the sources in scope: table
 * aliases, CTE names and columns, subquery aliases, SELECT-list aliases, correlated outer scopes.
 * Unknown node shapes are walked generically so no column reference or subquery goes unchecked.
 */
export function resolveQuery(
  ast: unknown,
  index: CatalogIndex,
  placeholders: ReadonlyMap<string, string>,
  aliasColumns: ReadonlyMap<string, readonly string[]> = new Map(),
): Resolution & { seenTableNames: Set<string> } {
  const errors: string[] = [];
  const tableRefs: TableRef[] = [];
  const tables: string[] = [];
  const columns: string[] = [];
  const seenTableNames = new Set<string>();
  const warnings: string[] = [];
  const warn = (msg: string): void => {
    if (!warnings.includes(msg)) warnings.push(msg);
  };
  const error = (msg: string): void => {
    if (!errors.includes(msg)) errors.push(msg);
  };
  const ident = (raw: unknown): Identifier | null => {
    let text: string | undefined;
    if (typeof raw === 'string') text = raw;
    else if (isNode(raw) && isNode(raw.expr) && typeof raw.expr.value === 'string') text = raw.expr.value;
    else if (isNode(raw) && typeof raw.value === 'string') text = raw.value;
    if (text === undefined) return null;
    const exact = placeholders.get(text.toUpperCase());
    return exact !== undefined ? { text: exact, quoted: true } : { text, quoted: false };
  };
  const show = (parts: readonly Identifier[]): string => parts.map(renderIdentifier).join('.');
  const noteTable = (t: CatalogTable): void => {
    if (!tables.includes(t.name)) tables.push(t.name);
  };
  const noteColumn = (t: CatalogTable, col: string): void => {
    const full = `${t.name}.${col}`;
    if (!columns.includes(full)) columns.push(full);
  };

  // ---- column resolution -------------------------------------------------------------------
  const sourceByQualifier = (scope: Scope, qual: readonly Identifier[]): Source | undefined => {
    for (let s: Scope | null = scope; s; s = s.parent) {
      const found = s.sources.find((src) => {
        if (src.alias) return qual.length === 1 && sameIdent(src.alias, qual[0]!);
        if (!src.table) return false;
        const tp = src.table.name.split('.');
        if (qual.length > tp.length) return false;
        const tail = tp.slice(tp.length - qual.length);
        return qual.every((q, i) => identifierMatches(q, tail[i]!));
      });
      if (found) return found;
    }
    return undefined;
  };
  const columnIn = (src: Source, col: Identifier): string | undefined => {
    if (src.table?.columnsUnknown) return col.quoted ? col.text : col.text.toUpperCase();
    if (src.table) return index.findColumn(src.table, col)?.name;
    const found = src.columns.find((c) => c !== ANY_COLUMN && sameIdent(c, col))?.text;
    return found ?? (src.columns.includes(ANY_COLUMN) ? col.text : undefined);
  };
  /** Whether a source answers every column name (unknown columns): it loses to a source that knows the column. */
  const isOpen = (src: Source): boolean => Boolean(src.table?.columnsUnknown) || src.columns.includes(ANY_COLUMN);
  const resolveColumnRef = (node: Node, scope: Scope): void => {
    const parts: Identifier[] = [];
    for (const key of ['db', 'schema', 'table', 'column']) {
      const v = node[key];
      if (v === null || v === undefined || v === '') continue;
      const id = key === 'column' && v === '*' ? { text: '*', quoted: false } : ident(v);
      if (!id) {
        error(`unsupported column reference ${JSON.stringify(v)}`);
        return;
      }
      parts.push(id);
    }
    // Semi-structured paths (src.col:field.sub) address the column before the first ':'.
    const notations = Array.isArray(node.notations) ? (node.notations as unknown[]) : [];
    const colon = notations.indexOf(':');
    const base = colon >= 0 ? parts.slice(0, colon + 1) : parts;
    const col = base[base.length - 1];
    if (!col) return;
    const qual = base.slice(0, -1);
    if (col.text === '*' && !col.quoted) {
      const src = qual.length === 0 ? undefined : sourceByQualifier(scope, qual);
      if (qual.length === 0 && !scope.hasFrom) error('SELECT * needs a FROM clause');
      else if (qual.length > 0 && !src) error(`unknown table or alias ${show(qual)} in ${show(qual)}.*`);
      else if (src?.table) noteTable(src.table);
      // `* EXCLUDE (a, b)`: each excluded name must be a column of what the star expands to.
      const suffix = isNode(node.suffix) && isNode(node.suffix.args) && Array.isArray(node.suffix.args.value) ? node.suffix.args.value : [];
      for (const x of suffix) {
        const id = isNode(x) && x.type === 'column_ref' ? ident(x.column) : null;
        if (!id) continue;
        const holders = src ? [src] : scope.sources;
        if (!holders.some((h) => columnIn(h, id) !== undefined)) error(`unknown column ${renderIdentifier(id)} in EXCLUDE (not in ${holders.map((h) => h.label).join(', ')})`);
      }
      return;
    }
    if (qual.length > 0) {
      const src = sourceByQualifier(scope, qual);
      if (!src) {
        for (let s: Scope | null = scope; s; s = s.parent) if (s.broken) return;
        error(`unknown table or alias ${show(qual)} in ${show(base)}`);
        return;
      }
      const name = columnIn(src, col);
      if (name === undefined) error(`unknown column ${renderIdentifier(col)} in ${src.label} (written ${show(base)})`);
      else if (src.table) noteColumn(src.table, name);
      return;
    }
    for (let s: Scope | null = scope; s; s = s.parent) {
      const all = s.sources.map((src) => ({ src, name: columnIn(src, col) })).filter((h) => h.name !== undefined);
      const known = all.filter((h) => !isOpen(h.src));
      // A source with known columns that has the name wins over ones whose columns are unknown.
      const hits = known.length > 0 ? known : all.slice(0, 1);
      // Snowflake resolves a name that several sources share to a SELECT-list alias of that name.
      if (hits.length > 1 && s === scope && s.selectAliases.some((a) => sameIdent(a, col))) return;
      if (hits.length > 1 && !s.usingColumns.some((u) => sameIdent(u, col))) {
        error(`ambiguous column ${renderIdentifier(col)}: it exists in ${hits.map((h) => h.src.label).join(' and ')}; qualify it`);
        return;
      }
      if (hits.length >= 1) {
        for (const h of hits) if (h.src.table) noteColumn(h.src.table, h.name!);
        return;
      }
      if (s === scope && s.selectAliases.some((a) => sameIdent(a, col))) return;
    }
    for (let s: Scope | null = scope; s; s = s.parent) if (s.broken) return;
    const inScope = scope.sources.map((s) => s.label).join(', ');
    error(`unknown column ${renderIdentifier(col)}${inScope ? ` (not in ${inScope})` : ' (no FROM clause)'}`);
  };

  // ---- expression walk -------------------------------------------------------------------------
  const walkExpr = (value: unknown, scope: Scope): void => {
    if (Array.isArray(value)) {
      for (const v of value) walkExpr(v, scope);
      return;
    }
    if (!isNode(value)) return;
    if (isNode(value.ast)) {
      validateQuery(value.ast, scope, scope.ctes);
      return;
    }
    switch (value.type) {
      case 'select':
        validateQuery(value, scope, scope.ctes);
        return;
      case 'column_ref':
        resolveColumnRef(value, scope);
        return;
      case 'double_quote_string':
        error(`unexpected double-quoted token "${String(value.value)}"`);
        return;
      case 'var':
      case 'param':
        error('variables and bind parameters are not allowed');
        return;
      case 'flatten':
        walkExpr(value.args, scope);
        return;
      case 'aggr_func':
      case 'window_func': {
        const fname = typeof value.name === 'string' ? value.name : '';
        if (!isAllowedFunction(fname)) error(`function ${fname.toUpperCase()} is not allowed (not on the Snowflake function allowlist)`);
        for (const [k, v] of Object.entries(value)) if (k !== 'name' && k !== 'loc') walkExpr(v, scope);
        return;
      }
      case 'function': {
        const nameParts = isNode(value.name) && Array.isArray(value.name.name) ? (value.name.name as unknown[]) : [];
        const names = nameParts.map((p) => ident(p)?.text ?? '');
        if (names.length > 1) error(`qualified function ${names.join('.')} is not allowed (user-defined functions are outside the catalog)`);
        const fname = (names[names.length - 1] ?? '').toUpperCase();
        if (fname.startsWith('SYSTEM$')) error(`forbidden function ${fname}`);
        else if (names.length === 1 && !isAllowedFunction(fname)) error(`function ${fname} is not allowed (not on the Snowflake function allowlist)`);
        const args = isNode(value.args) && Array.isArray(value.args.value) ? (value.args.value as unknown[]) : null;
        for (const at of SIZE_ARGUMENTS.get(fname) ?? []) {
          const a = args?.[at];
          const n = isNode(a) && a.type === 'number' ? Number(a.value) : NaN;
          if (!(Math.abs(n) <= MAX_SIZE_ARGUMENT)) error(`${fname}: argument ${at + 1} must be a number literal of at most ${MAX_SIZE_ARGUMENT} (its work is not bounded by the data)`);
        }
        const params = lambdaParams(value.args);
        if (params.length > 0) {
          // Higher-order functions (FILTER, TRANSFORM, REDUCE…): the lambda's parameters are columns of its own scope.
          const lambdaScope: Scope = { sources: [{ alias: null, table: null, columns: params, label: 'lambda parameters' }], hasFrom: scope.hasFrom, broken: false, selectAliases: [], usingColumns: [], parent: scope, ctes: scope.ctes };
          walkExpr(value.args, lambdaScope);
          walkExpr(value.over, scope);
          return;
        }
        const partIdx = DATE_PART_ARG.get(fname);
        if (args && partIdx !== undefined) {
          args.forEach((a, i) => {
            if (i === partIdx && isNode(a) && a.type === 'column_ref' && !a.table && typeof a.column === 'string' && DATE_PARTS.has(a.column.toUpperCase())) return;
            walkExpr(a, scope);
          });
        } else {
          walkExpr(value.args, scope);
        }
        walkExpr(value.over, scope);
        return;
      }
      default:
        for (const [k, v] of Object.entries(value)) {
          if (k === 'as' || k === 'target' || k === 'surround' || k === 'loc') continue;
          walkExpr(v, scope);
        }
    }
  };

  // ---- FROM items ------------------------------------------------------------------------------
  const addFromItem = (item: Node, scope: Scope, outer: Scope | null, ctes: ReadonlyMap<string, readonly Identifier[]>): void => {
    const alias = item.as ? ident(item.as) : null;
    if (typeof item.table === 'string' || isNode(item.table)) {
      const parts: Identifier[] = [];
      const qualifier = item.schema ? [item.catalog ?? item.db, item.schema] : [item.db];
      for (const p of [...qualifier, item.table]) {
        if (p === null || p === undefined || p === '') continue;
        const id = ident(p);
        if (!id) {
          error(`unsupported table reference ${JSON.stringify(p)}`);
          return;
        }
        parts.push(id);
      }
      const last = parts[parts.length - 1]!;
      seenTableNames.add((typeof item.table === 'string' ? item.table : last.text).toUpperCase());
      if (parts.length === 1) {
        const cte = [...ctes.entries()].find(([k]) => sameIdent(JSON.parse(k) as Identifier, last));
        if (cte) {
          scope.sources.push({ alias: alias ?? last, table: null, columns: cte[1], label: `CTE ${renderIdentifier(last)}` });
          return;
        }
      }
      const res = index.resolveTable(parts);
      if (!res.ok) {
        error(res.error);
        scope.broken = true;
        return;
      }
      if (!index.inScope(res.table)) {
        error(`table ${res.table.name} is outside the allowed scope`);
        scope.broken = true;
        return;
      }
      noteTable(res.table);
      if (res.table.columnsUnknown) warn(`columns of table ${res.table.name} are unknown (not in the catalog); its column references are not checked`);
      const loc = isNode(item.loc) && isNode(item.loc.start) && typeof item.loc.start.offset === 'number' ? item.loc.start.offset : null;
      tableRefs.push({ parseOffset: loc, writtenParts: parts.length, table: res.table, aliased: alias !== null });
      scope.sources.push({
        alias,
        table: res.table,
        columns: res.table.columnsUnknown ? [ANY_COLUMN] : res.table.columns.map((c) => ({ text: c.name, quoted: false })),
        label: alias ? `${res.table.name} (alias ${renderIdentifier(alias)})` : res.table.name,
      });
    } else if (isNode(item.expr) && isNode(item.expr.ast)) {
      const lateral = typeof item.prefix === 'string' && item.prefix.toUpperCase() === 'LATERAL';
      const out = validateQuery(item.expr.ast, lateral ? scope : outer, ctes);
      scope.sources.push({ alias, table: null, columns: out, label: alias ? `subquery ${renderIdentifier(alias)}` : 'subquery' });
    } else if (isNode(item.expr) && tableFunctionCall(item.expr)) {
      const { name, call } = tableFunctionCall(item.expr)!;
      walkExpr(call.args, scope);
      scope.sources.push({ alias, table: null, columns: TABLE_FUNCTION_COLUMNS.get(name)!, label: alias ? `${name} ${renderIdentifier(alias)}` : name });
    } else if (isNode(item.expr) && item.expr.type === 'function') {
      error(`table functions other than ${[...TABLE_FUNCTION_COLUMNS.keys()].join(', ')} are not allowed in FROM`);
    } else {
      error(`unsupported FROM item ${JSON.stringify(item.type ?? Object.keys(item))}`);
    }
    if (isNode(item.operator) && (item.operator.type === 'pivot' || item.operator.type === 'unpivot')) {
      applyPivot(item.operator, scope);
    }
    // `AS p (a, b, …)` renames the item's output columns in order.
    const last = scope.sources[scope.sources.length - 1];
    const renamed = last?.alias ? aliasColumns.get(last.alias.quoted ? [...placeholders].find(([, v]) => v === last.alias!.text)?.[0] ?? '' : last.alias.text.toUpperCase()) : undefined;
    if (last && renamed) {
      const names = renamed.map((n) => ident(n)).filter((n): n is Identifier => n !== null);
      scope.sources[scope.sources.length - 1] = { ...last, table: null, columns: [...names, ...last.columns.slice(names.length).filter((c) => c === ANY_COLUMN)] };
    }
    // NATURAL JOIN (written as a JOIN without ON or USING; see the parse text): the shared columns join.
    const isNatural = typeof item.join === 'string' && !/CROSS/i.test(item.join) && !item.on && !item.using;
    const joined = scope.sources[scope.sources.length - 1];
    if (isNatural && joined) {
      const shared = joined.columns.filter((c) => c !== ANY_COLUMN && scope.sources.slice(0, -1).some((s) => columnIn(s, c) !== undefined));
      scope.usingColumns.push(...shared);
    }
    if (Array.isArray(item.using)) {
      for (const u of item.using) {
        const id = ident(u);
        if (!id) continue;
        scope.usingColumns.push(id);
        const holders = scope.sources.filter((s) => columnIn(s, id) !== undefined);
        if (holders.length < 2) error(`USING column ${renderIdentifier(id)} must exist on both sides of the join`);
        for (const h of holders) if (h.table) noteColumn(h.table, columnIn(h, id)!);
      }
    }
    if (item.on) walkExpr(item.on, scope);
  };

  /**
   * PIVOT / UNPIVOT turn the source just added into a derived one: its inputs are resolved against
   * that source alone, and its output columns are the remaining columns plus the pivot values
   * (named `'value'`, as Snowflake does) or the UNPIVOT name/value columns.
   */
  const applyPivot = (op: Node, scope: Scope): void => {
    const src = scope.sources.pop();
    if (!src) return;
    const inner: Scope = { ...scope, sources: [src], selectAliases: [], usingColumns: [], broken: false };
    const inList = isNode(op.in_expr) && isNode(op.in_expr.right) ? op.in_expr.right : op.in_expr;
    const refName = (n: unknown): Identifier | null => (isNode(n) && n.type === 'column_ref' ? ident(n.column) : null);
    const consumed: Identifier[] = [];
    const collectRefs = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(collectRefs);
      else if (isNode(v)) {
        const r = refName(v);
        if (r) consumed.push(r);
        else Object.entries(v).forEach(([k, x]) => k !== 'loc' && collectRefs(x));
      }
    };
    const added: Identifier[] = [];
    if (op.type === 'pivot') {
      walkExpr(op.expr, inner);
      walkExpr(op.column, inner);
      walkExpr(inList, inner);
      collectRefs(op.expr);
      collectRefs(op.column);
      const values = isNode(inList) && Array.isArray(inList.value) ? inList.value : [];
      for (const v of values) {
        if (isNode(v) && (typeof v.value === 'string' || typeof v.value === 'number')) {
          added.push({ text: typeof v.value === 'string' ? `'${v.value}'` : String(v.value), quoted: true });
        }
      }
    } else {
      walkExpr(inList, inner);
      collectRefs(inList);
      for (const n of [op.expr, op.column]) {
        const r = refName(n);
        if (r) added.push(r);
      }
    }
    const alias = op.as ? ident(op.as) : src.alias;
    const kept = src.columns.filter((c) => !consumed.some((x) => sameIdent(x, c)));
    scope.sources.push({ alias, table: null, columns: [...kept, ...added], label: `${op.type === 'pivot' ? 'PIVOT' : 'UNPIVOT'} of ${src.label}` });
  };

  // ---- one SELECT (and its set-operation chain) -------------------------------------------------
  function validateQuery(node: Node, outer: Scope | null, inherited: ReadonlyMap<string, readonly Identifier[]>): Identifier[] {
    if (node.type !== 'select') {
      error(`only SELECT is allowed; found ${String(node.type ?? 'unknown statement').toUpperCase()}`);
      return [];
    }
    const ctes = new Map(inherited);
    if (Array.isArray(node.with)) {
      for (const w of node.with) {
        if (!isNode(w)) continue;
        const name = ident(w.name);
        const stmt = isNode(w.stmt) && isNode(w.stmt.ast) ? w.stmt.ast : isNode(w.stmt) ? w.stmt : null;
        if (!name || !stmt) {
          error('unsupported WITH item');
          continue;
        }
        const declared = Array.isArray(w.columns) && w.columns.length > 0
          ? w.columns.map((c) => (isNode(c) ? ident(c.column ?? c) : ident(c))).filter((c): c is Identifier => c !== null)
          : null;
        // A recursive CTE reads itself: its columns come from the anchor (first branch), so the anchor
        // is resolved first and the name registered before the full body is checked. Only a set
        // operation whose anchor does not read the name is recursive; otherwise the name inside the
        // body is an ordinary table reference (resolved against the catalog and the allowed scope).
        const anchor = { ...stmt, _next: null };
        if (isNode(stmt._next) && referencesTable(stmt._next, name) && !referencesTable(anchor, name)) {
          const before = errors.length;
          const cols = validateQuery(anchor, outer, ctes);
          errors.length = before; // the full body below re-checks the anchor and reports its errors
          ctes.set(JSON.stringify(name), declared ?? cols);
        }
        const body = validateQuery(stmt, outer, ctes);
        const out = declared ?? body;
        ctes.set(JSON.stringify(name), out);
      }
    }
    let first: Identifier[] | null = null;
    for (let cur: Node | null = node; cur; cur = isNode(cur._next) ? cur._next : null) {
      if (cur.type !== 'select') {
        error(`only SELECT is allowed in a set operation; found ${String(cur.type)}`);
        break;
      }
      const out = validateSelectCore(cur, outer, ctes);
      first ??= out;
    }
    return first ?? [];
  }

  function validateSelectCore(node: Node, outer: Scope | null, ctes: ReadonlyMap<string, readonly Identifier[]>): Identifier[] {
    if (isNode(node.into) && (node.into.expr || node.into.keyword)) error('SELECT ... INTO is not allowed');
    const scope: Scope = { sources: [], broken: false, hasFrom: Array.isArray(node.from) && node.from.length > 0, selectAliases: [], usingColumns: [], parent: outer, ctes };
    if (Array.isArray(node.from)) {
      for (const item of node.from) {
        if (!isNode(item)) continue;
        const before = errors.length;
        addFromItem(item, scope, outer, ctes);
        if (errors.length > before) scope.broken = true;
      }
    }
    const items = Array.isArray(node.columns) ? node.columns.filter(isNode) : [];
    for (const it of items) {
      const a = it.as ? ident(it.as) : null;
      if (a) scope.selectAliases.push(a);
    }
    const output: Identifier[] = [];
    for (const it of items) {
      walkExpr(it.expr, scope);
      const a = it.as ? ident(it.as) : null;
      const expr = isNode(it.expr) ? it.expr : null;
      if (a) output.push(a);
      else if (expr?.type === 'column_ref') {
        const col = expr.column === '*' ? null : ident(expr.column);
        if (col) output.push(col);
        else {
          const qual = expr.table ? ident(expr.table) : null;
          const srcs = qual ? scope.sources.filter((s) => (s.alias ? sameIdent(s.alias, qual) : s.table && s.table.name.split('.').pop()!.toUpperCase() === qual.text.toUpperCase())) : scope.sources;
          for (const s of srcs) output.push(...s.columns);
        }
      }
    }
    for (const key of ['where', 'groupby', 'having', 'qualify', 'orderby', 'window']) walkExpr(node[key], scope);
    return output;
  }

  if (!isNode(ast)) {
    error(Array.isArray(ast) ? 'multiple statements are not allowed: exactly one statement per request' : 'empty statement');
  } else {
    validateQuery(ast, null, new Map());
  }
  return { errors, tables, columns, tableRefs, seenTableNames, warnings };
}

/**
 * Parameters of the lambdas among a call's arguments: node-sql-parser reads `a -> body` as a binary
 * `->` whose left side is the parameter (`(a, b) -> …`: an expression list), nested inside the body's
 * operators. Subqueries are not searched (their lambdas belong to their own calls).
 */
function lambdaParams(args: unknown): Identifier[] {
  const out: Identifier[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isNode(v) || isNode(v.ast) || v.type === 'select' || v.type === 'function') return;
    if (v.type === 'binary_expr' && v.operator === '->') {
      const left = v.left;
      const refs = isNode(left) && left.type === 'expr_list' && Array.isArray(left.value) ? left.value : [left];
      for (const r of refs) if (isNode(r) && r.type === 'column_ref' && !r.table && typeof r.column === 'string') out.push({ text: r.column, quoted: false });
    }
    for (const [k, x] of Object.entries(v)) if (k !== 'loc') visit(x);
  };
  if (isNode(args) && Array.isArray(args.value)) args.value.forEach(visit);
  return out;
}

import { tokenizeSql, TokenKind } from '../sql-tokenizer.ts';
import type { SemanticModel, SemanticRelationship, SemanticTable, SemanticTimeDimension } from './semantic-model.ts';
import { describeRange, type TimeGrain, type TimeRange } from './time-range.ts';

/** An equality filter on a dimension (values a question named verbatim). */
export interface DimensionFilter {
  readonly dimension: string;
  readonly values: readonly string[];
  /** Compare lower-cased (values typed in a question, whose case is unknown). */
  readonly caseInsensitive?: boolean;
}

/** What to compute: the planner's output and the compiler's input. Names are semantic-model names. */
export interface QueryPlan {
  readonly measures: readonly string[];
  readonly dimensions?: readonly string[];
  /** Named filters of the model (their `expr` is AND-ed). */
  readonly filters?: readonly string[];
  readonly dimensionFilters?: readonly DimensionFilter[];
  readonly timeDimension?: string;
  readonly timeRange?: TimeRange;
  /** Group by the time dimension truncated to this grain. */
  readonly timeGrain?: TimeGrain;
  readonly orderBy?: { readonly field: string; readonly direction: 'asc' | 'desc' };
  readonly limit?: number;
}

/** Compiled SQL plus a plain-language explanation and the logical tables used. */
export interface CompiledQuery {
  readonly sql: string;
  readonly explanation: string;
  readonly tables: readonly string[];
}

/** A plan naming something the model does not have, or with no path between its tables. */
export class PlanError extends Error {
  override readonly name = 'PlanError';
}

interface Located<T> {
  readonly table: SemanticTable;
  readonly item: T;
}

function locate<K extends 'dimensions' | 'time_dimensions' | 'measures' | 'filters'>(
  model: SemanticModel,
  kind: K,
  name: string,
  field: string,
): Located<SemanticTable[K][number]> {
  for (const table of model.tables) {
    const item = (table[kind] as Array<SemanticTable[K][number]>).find((m) => m.name === name);
    if (item) return { table, item };
  }
  throw new PlanError(`${field}: unknown ${kind.replace('_', ' ').replace(/s$/, '')} ${name} in model ${model.name}`);
}

/**
 * Qualifies the bare column names of `table` in an expression with the table's alias (its logical
 * name), using the SQL tokenizer so strings, quoted names, function names and `x.col` stay untouched.
 */
export function qualifyExpr(expr: string, table: SemanticTable): string {
  const columns = new Set(Object.keys(table.columns).map((c) => c.toUpperCase()));
  const tokens = tokenizeSql(expr);
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = tokens.slice(0, i).reverse().find((p) => p.kind !== TokenKind.Whitespace);
    const next = tokens.slice(i + 1).find((p) => p.kind !== TokenKind.Whitespace);
    const isColumn = t.kind === TokenKind.Word && columns.has(t.text.toUpperCase()) && prev?.text !== '.' && next?.text !== '(' && next?.text !== '.';
    out += isColumn ? `${table.name}.${t.text}` : t.text;
  }
  return out;
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function timeLiteral(td: SemanticTimeDimension, at: Date): string {
  if (td.data_type === 'epoch_ms') return String(at.getTime());
  if (td.data_type === 'date') return `CAST('${at.toISOString().slice(0, 10)}' AS DATE)`;
  return `CAST('${at.toISOString().slice(0, 19).replace('T', ' ')}' AS TIMESTAMP)`;
}

function timeBucket(td: SemanticTimeDimension, qualified: string, grain: TimeGrain): string {
  // TO_TIMESTAMP is TIMESTAMP_NTZ on Snowflake but TIMESTAMPTZ on DuckDB: the CAST makes both a plain UTC timestamp.
  const value = td.data_type === 'epoch_ms' ? `CAST(TO_TIMESTAMP(${qualified} / 1000) AS TIMESTAMP)` : qualified;
  return `DATE_TRUNC('${grain}', ${value})`;
}

/** Shortest join path from `from` to `to` over the relationships (undirected, BFS). */
function joinPath(model: SemanticModel, from: string, to: string): SemanticRelationship[] | undefined {
  const queue: Array<{ table: string; path: SemanticRelationship[] }> = [{ table: from, path: [] }];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const { table, path } = queue.shift()!;
    if (table === to) return path;
    for (const r of model.relationships) {
      const other = r.left_table === table ? r.right_table : r.right_table === table ? r.left_table : undefined;
      if (other !== undefined && !seen.has(other)) {
        seen.add(other);
        queue.push({ table: other, path: [...path, r] });
      }
    }
  }
  return undefined;
}

/**
 * Deterministic compiler: plan → one SELECT over the model's tables. The first measure's table is
 * the FROM; other tables join along the shortest relationship path; tables are aliased by their
 * logical names; output columns are named after the plan's fields. The SQL is portable between
 * Snowflake and DuckDB (CAST literals, DATE_TRUNC, TO_TIMESTAMP) and still goes through the validator.
 */
export function compilePlan(model: SemanticModel, plan: QueryPlan): CompiledQuery {
  if (plan.measures.length === 0) throw new PlanError('measures: at least one measure is required');
  if (plan.limit !== undefined && (!Number.isInteger(plan.limit) || plan.limit < 1)) throw new PlanError(`limit: must be a positive integer, got ${plan.limit}`);
  const measures = plan.measures.map((m, i) => locate(model, 'measures', m, `measures[${i}]`));
  const dimensions = (plan.dimensions ?? []).map((d, i) => locate(model, 'dimensions', d, `dimensions[${i}]`));
  const filters = (plan.filters ?? []).map((f, i) => locate(model, 'filters', f, `filters[${i}]`));
  const dimFilters = (plan.dimensionFilters ?? []).map((f, i) => ({ ...locate(model, 'dimensions', f.dimension, `dimensionFilters[${i}].dimension`), values: f.values, caseInsensitive: f.caseInsensitive === true }));
  const base = measures[0]!.table;
  const timeName = plan.timeDimension ?? (plan.timeRange || plan.timeGrain ? (base.time_dimensions[0] ?? model.tables.flatMap((t) => t.time_dimensions)[0])?.name : undefined);
  if ((plan.timeRange || plan.timeGrain) && timeName === undefined) throw new PlanError(`timeDimension: model ${model.name} has no time dimension`);
  const time = timeName === undefined ? undefined : locate(model, 'time_dimensions', timeName, 'timeDimension');

  const used = [base, ...measures.map((m) => m.table), ...dimensions.map((d) => d.table), ...filters.map((f) => f.table), ...dimFilters.map((f) => f.table), ...(time ? [time.table] : [])];
  const joins: string[] = [];
  const joined = new Set([base.name]);
  for (const t of used) {
    if (joined.has(t.name)) continue;
    const path = joinPath(model, base.name, t.name);
    if (!path) throw new PlanError(`no relationship path from ${base.name} to ${t.name} in model ${model.name}`);
    let current = base.name;
    for (const r of path) {
      const next = r.left_table === current ? r.right_table : r.left_table;
      if (!joined.has(next)) {
        const nextTable = model.tables.find((x) => x.name === next)!;
        const on = r.on.map(([l, rc]) => `${r.left_table}.${l} = ${r.right_table}.${rc}`).join(' AND ');
        joins.push(`${r.join_type === 'left' ? 'LEFT JOIN' : 'JOIN'} ${nextTable.base_table} AS ${next} ON ${on}`);
        joined.add(next);
      }
      current = next;
    }
  }

  const select: string[] = [];
  const groupBy: string[] = [];
  for (const d of dimensions) {
    select.push(`${qualifyExpr(d.item.expr, d.table)} AS ${d.item.name}`);
    groupBy.push(String(select.length));
  }
  let bucketName: string | undefined;
  if (time && plan.timeGrain) {
    bucketName = `${time.item.name}_${plan.timeGrain}`;
    select.push(`${timeBucket(time.item, qualifyExpr(time.item.expr, time.table), plan.timeGrain)} AS ${bucketName}`);
    groupBy.push(String(select.length));
  }
  for (const m of measures) {
    const expr = qualifyExpr(m.item.expr, m.table);
    const agg = m.item.default_aggregation;
    const wrapped = agg === undefined ? expr : agg === 'count_distinct' ? `COUNT(DISTINCT ${expr})` : `${agg.toUpperCase()}(${expr})`;
    select.push(`${wrapped} AS ${m.item.name}`);
  }
  const where: string[] = [];
  if (time && plan.timeRange) {
    const col = qualifyExpr(time.item.expr, time.table);
    where.push(`${col} >= ${timeLiteral(time.item, plan.timeRange.start)}`, `${col} < ${timeLiteral(time.item, plan.timeRange.end)}`);
  }
  for (const f of filters) where.push(`(${qualifyExpr(f.item.expr, f.table)})`);
  for (const f of dimFilters) {
    const col = qualifyExpr(f.item.expr, f.table);
    where.push(f.caseInsensitive ? `LOWER(${col}) IN (${f.values.map((v) => sqlString(v.toLowerCase())).join(', ')})` : `${col} IN (${f.values.map(sqlString).join(', ')})`);
  }

  const outputs = new Set(select.map((s) => s.slice(s.lastIndexOf(' AS ') + 4)));
  let order = '';
  if (plan.orderBy) {
    if (!outputs.has(plan.orderBy.field)) throw new PlanError(`orderBy.field: ${plan.orderBy.field} is not an output of the plan (${[...outputs].join(', ')})`);
    order = `${plan.orderBy.field} ${plan.orderBy.direction.toUpperCase()}`;
  } else if (bucketName) order = `${bucketName} ASC`;
  else if (groupBy.length > 0) order = `${measures[0]!.item.name} DESC`;

  const sql = [
    `SELECT ${select.join(', ')}`,
    `FROM ${base.base_table} AS ${base.name}`,
    ...joins,
    ...(where.length > 0 ? [`WHERE ${where.join(' AND ')}`] : []),
    ...(groupBy.length > 0 ? [`GROUP BY ${groupBy.join(', ')}`] : []),
    ...(order ? [`ORDER BY ${order}`] : []),
    ...(plan.limit !== undefined ? [`LIMIT ${plan.limit}`] : []),
  ].join('\n');

  const parts = [`${measures.map((m) => m.item.name).join(', ')}`];
  if (dimensions.length > 0 || bucketName) parts.push(`by ${[...dimensions.map((d) => d.item.name), ...(bucketName ? [`${plan.timeGrain} of ${time!.item.name}`] : [])].join(', ')}`);
  if (plan.timeRange && time) parts.push(`for ${plan.timeRange.label} (${time.item.name} ${describeRange(plan.timeRange)})`);
  if (filters.length > 0) parts.push(`where ${filters.map((f) => f.item.name).join(' and ')}`);
  for (const f of dimFilters) parts.push(`where ${f.item.name} is ${f.values.join(' or ')}`);
  if (plan.limit !== undefined) parts.push(`${plan.orderBy?.direction === 'asc' ? 'bottom' : 'top'} ${plan.limit} by ${plan.orderBy?.field ?? measures[0]!.item.name}`);
  return { sql, explanation: `Semantic model ${model.name}: ${parts.join(' ')}.`, tables: [...joined] };
}

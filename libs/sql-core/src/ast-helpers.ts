import { type Identifier } from './identifier.ts';

/** A loosely typed AST node from node-sql-parser (its published typings do not cover Snowflake). */
export type Node = Record<string, unknown>;

const columnsOf = (names: string): Identifier[] => names.split(' ').map((text) => ({ text, quoted: false }));
/** Output columns of FLATTEN (Snowflake). */
export const FLATTEN_COLUMNS = columnsOf('SEQ KEY PATH INDEX VALUE THIS');
/**
 * The table functions a query may read from: they only reshape values of the row they are given
 * (no catalog objects, no files, no generators), with their output columns.
 */
export const TABLE_FUNCTION_COLUMNS: ReadonlyMap<string, readonly Identifier[]> = new Map([
  ['FLATTEN', FLATTEN_COLUMNS],
  ['SPLIT_TO_TABLE', columnsOf('SEQ INDEX VALUE')],
  ['STRTOK_SPLIT_TO_TABLE', columnsOf('SEQ INDEX VALUE')],
]);

/** Date/time parts Snowflake accepts as bare words in DATEADD(day, ...), DATE_TRUNC(month, ...), etc. */
export const DATE_PARTS = new Set(
  ('YEAR Y YY YYY YYYY YR YEARS YRS MONTH MM MON MONS MONTHS DAY D DD DAYS DAYOFMONTH DAYOFWEEK WEEKDAY DOW DW ' +
    'DAYOFWEEKISO DAYOFYEAR YEARDAY DOY DY WEEK W WK WEEKOFYEAR WOY WY WEEKISO QUARTER Q QTR QTRS QUARTERS ' +
    'HOUR H HH HR HOURS HRS MINUTE M MI MIN MINUTES MINS SECOND S SEC SECONDS SECS MILLISECOND MS MSEC ' +
    'MILLISECONDS MICROSECOND US USEC MICROSECONDS NANOSECOND NS NSEC NANOSEC NANOSECONDS EPOCH_SECOND ' +
    'EPOCH EPOCH_SECONDS EPOCH_MILLISECOND EPOCH_MILLISECONDS EPOCH_MICROSECOND EPOCH_NANOSECOND YEAROFWEEK YEAROFWEEKISO')
    .split(' '),
);
/** Functions whose argument at the given index may be a bare date part. */
export const DATE_PART_ARG = new Map<string, number>([
  ['DATEADD', 0], ['DATEDIFF', 0], ['TIMEADD', 0], ['TIMEDIFF', 0], ['TIMESTAMPADD', 0], ['TIMESTAMPDIFF', 0],
  ['TIMESTAMP_ADD', 0], ['DATE_PART', 0], ['DATE_TRUNC', 0], ['TRUNC', 1], ['LAST_DAY', 1], ['TIME_SLICE', 2],
]);

/** Type guard for AST objects. */
export function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether a query mentions `name` as an unqualified table anywhere (recursive CTE detection). */
export function referencesTable(value: unknown, name: Identifier): boolean {
  if (Array.isArray(value)) return value.some((v) => referencesTable(v, name));
  if (!isNode(value)) return false;
  if (typeof value.table === 'string' && !value.db && !value.schema && value.type !== 'column_ref' && 'surround' in value) {
    if (value.table.toUpperCase() === name.text.toUpperCase() || value.table === name.text) return true;
  }
  return Object.values(value).some((v) => referencesTable(v, name));
}

function callName(expr: Node): string | null {
  const name = isNode(expr.name) && Array.isArray(expr.name.name) ? (expr.name.name as unknown[]) : [];
  const first = name[0];
  return expr.type === 'function' && name.length === 1 && isNode(first) && typeof first.value === 'string' ? first.value.toUpperCase() : null;
}

/**
 * The allowed table function a FROM item calls — `FLATTEN(…)` (the parser's flatten node or a plain
 * call), `SPLIT_TO_TABLE(…)`, or either inside `TABLE(…)` — with the call node; null for anything else.
 */
export function tableFunctionCall(expr: Node): { name: string; call: Node } | null {
  if (expr.type === 'flatten') return { name: 'FLATTEN', call: expr };
  const name = callName(expr);
  if (name !== null && TABLE_FUNCTION_COLUMNS.has(name)) return { name, call: expr };
  if (name !== 'TABLE') return null;
  const args = isNode(expr.args) && Array.isArray(expr.args.value) ? (expr.args.value as unknown[]) : [];
  const inner = args[0];
  return args.length === 1 && isNode(inner) && inner.type !== 'function' ? (inner.type === 'flatten' ? { name: 'FLATTEN', call: inner } : null) : args.length === 1 && isNode(inner) ? tableFunctionCall(inner) : null;
}

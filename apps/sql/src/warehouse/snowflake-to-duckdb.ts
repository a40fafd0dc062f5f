import { tokenizeSql, TokenKind, type Token } from '@sophia/sql-core';

const DATE_PARTS = new Set(['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond', 'microsecond']);
const PART_ALIASES: Record<string, string> = { years: 'year', y: 'year', yy: 'year', yyyy: 'year', months: 'month', mm: 'month', mon: 'month', days: 'day', d: 'day', dd: 'day', weeks: 'week', w: 'week', wk: 'week', hours: 'hour', h: 'hour', hh: 'hour', minutes: 'minute', mi: 'minute', seconds: 'second', s: 'second', ss: 'second', quarters: 'quarter', q: 'quarter', qtr: 'quarter' };

/** A dialect construct the translation cannot map (the message names it). */
export class DialectError extends Error {
  override readonly name = 'DialectError';
}

function nextSignificant(tokens: readonly Token[], from: number): number {
  let i = from;
  while (i < tokens.length && (tokens[i]!.kind === TokenKind.Whitespace || tokens[i]!.kind === TokenKind.Comment)) i++;
  return i;
}

/** Splits the argument list starting after `open` (index of "("); returns arg texts and the index of ")". */
function callArgs(tokens: readonly Token[], open: number): { args: string[]; close: number } {
  let depth = 0;
  let current = '';
  const args: string[] = [];
  for (let i = open + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(' || t.text === '[') depth++;
    if (t.text === ')' || t.text === ']') {
      if (depth === 0) {
        args.push(current.trim());
        return { args, close: i };
      }
      depth--;
    }
    if (t.text === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
    } else current += t.text;
  }
  throw new DialectError('unbalanced parentheses');
}

function datePart(arg: string, fn: string): string {
  const raw = arg.replace(/^['"]|['"]$/g, '').toLowerCase();
  const part = PART_ALIASES[raw] ?? raw;
  if (!DATE_PARTS.has(part)) throw new DialectError(`${fn}: unsupported date part ${arg}`);
  return part;
}

/**
 * Translates the Snowflake constructs DuckDB lacks, on the token stream of an already validated
 * statement (strings and quoted names are tokens, so they are never touched):
 * `IFF(c, a, b)` → `IF(c, a, b)`; `DATEADD(part, n, x)` / `TIMESTAMPADD` → `(x + INTERVAL (n) part)`;
 * `DATEDIFF(part, a, b)` / `TIMESTAMPDIFF` → `DATE_DIFF('part', a, b)`. `::` casts, `DATE_TRUNC`,
 * `TO_TIMESTAMP`, and unquoted identifiers (case-insensitive in both) need nothing. Arguments are
 * translated recursively, so nested calls work.
 */
export function snowflakeToDuckDb(sql: string): string {
  const tokens = tokenizeSql(sql);
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const name = t.kind === TokenKind.Word ? t.text.toUpperCase() : '';
    const open = nextSignificant(tokens, i + 1);
    const isCall = name !== '' && tokens[open]?.text === '(' && tokens[i - 1]?.text !== '.';
    if (isCall && name === 'IFF') {
      out += 'IF';
      continue;
    }
    if (isCall && (name === 'DATEADD' || name === 'TIMESTAMPADD' || name === 'DATEDIFF' || name === 'TIMESTAMPDIFF')) {
      const { args, close } = callArgs(tokens, open);
      if (args.length !== 3) throw new DialectError(`${name} takes 3 arguments, got ${args.length}`);
      const [partArg, a, b] = args.map((x) => snowflakeToDuckDb(x)) as [string, string, string];
      const part = datePart(partArg, name);
      out += name.endsWith('ADD') ? `(${b} + INTERVAL (${a}) ${part.toUpperCase()})` : `DATE_DIFF('${part}', ${a}, ${b})`;
      i = close;
      continue;
    }
    out += t.text;
  }
  return out;
}

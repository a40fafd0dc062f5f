/**
 * Token-sequence rewrites that let node-sql-parser's snowflake grammar read Snowflake it lacks. Each
 * one keeps every column reference and subquery in the parser input (so the resolver still checks
 * them) or removes only clauses whose content it checks itself (SAMPLE sizes, time-travel points).
 * They work on the parser input only; the statement that runs is always the caller's own text.
 */

/** One piece of parser input: replacement text, and whether the original token was significant. */
export interface Piece {
  text: string;
  sig: boolean;
  /** Offset of the original token this piece stands for. */
  origin: number;
  /** The original token's kind (`word`, `string`, `number`, …). */
  readonly kind: string;
}

const SAMPLE_METHODS = new Set(['BERNOULLI', 'ROW', 'SYSTEM', 'BLOCK']);
const TIME_TRAVEL_KINDS = new Set(['TIMESTAMP', 'OFFSET', 'STATEMENT', 'STREAM']);
/** Words allowed inside `AT(…)`/`BEFORE(…)`: the point in time is a constant expression. */
const TIME_TRAVEL_WORDS = new Set([
  ...TIME_TRAVEL_KINDS, 'TIMESTAMP_LTZ', 'TIMESTAMP_NTZ', 'TIMESTAMP_TZ', 'DATE', 'VARCHAR', 'STRING', 'TEXT',
  'DATEADD', 'TIMESTAMPADD', 'CURRENT_TIMESTAMP', 'CURRENT_DATE', 'SYSDATE', 'TO_TIMESTAMP', 'TO_TIMESTAMP_LTZ',
  'TO_TIMESTAMP_NTZ', 'TO_TIMESTAMP_TZ', 'DAY', 'DAYS', 'HOUR', 'HOURS', 'MINUTE', 'MINUTES', 'SECOND', 'SECONDS', 'WEEK', 'MONTH', 'YEAR',
]);
/** Casts to these types are read as `::JSON` (the grammar lacks them). */
const SEMI_STRUCTURED_TYPES = new Set(['VARIANT', 'OBJECT', 'ARRAY', 'GEOGRAPHY', 'GEOMETRY']);
/** Words after which `[` opens an array constant rather than a subscript. */
const EXPRESSION_START_WORDS = new Set([
  'SELECT', 'WHERE', 'AND', 'OR', 'NOT', 'ON', 'WHEN', 'THEN', 'ELSE', 'HAVING', 'QUALIFY', 'BY', 'IN', 'IS',
  'LIKE', 'ILIKE', 'BETWEEN', 'DISTINCT', 'RETURN', 'ALL', 'ANY',
]);

/** What the rewrites found: refusals, and FROM-item aliases with a column list (`AS p (a, b)`). */
export interface SnowflakeRewrites {
  readonly errors: string[];
  /** Parser text of the alias (placeholder for a quoted one) → parser texts of the column names, in order. */
  readonly aliasColumns: Map<string, string[]>;
}

/**
 * Applies the rewrites in place on `pieces` (significant pieces only are inspected):
 *  - `FETCH FIRST|NEXT n ROW[S] ONLY` (optionally after `OFFSET m ROW[S]`) → `LIMIT n [OFFSET m]`;
 *  - `SAMPLE|TABLESAMPLE [method] (n [ROWS]) [REPEATABLE|SEED (n)]` after a table → removed (numbers only);
 *  - `AT|BEFORE (TIMESTAMP|OFFSET|STATEMENT|STREAM => constant)` after a table → removed, the constant
 *    checked here (strings, numbers, casts and a few date functions; anything else is an error);
 *  - `GROUPING SETS (…)` → `ROLLUP (…)` and an empty grouping set `()` → `(NULL)`;
 *  - `{'k': v, …}` → `OBJECT_CONSTRUCT('k', v, …)`, `[a, b]` constants → `ARRAY_CONSTRUCT(a, b)`;
 *  - `NATURAL JOIN` → `JOIN` (no ON/USING: the resolver joins the shared columns); `::VARIANT|OBJECT|ARRAY` → `::JSON`;
 *  - a FROM-item alias with a column list, `AS p (a, b)` → `AS p` (the list is returned for the resolver);
 *  - semi-structured paths `x:a.b[0].c` and `x[0]:a` → `x['a']['b'][0]['c']`; after a call,
 *    `f(…):a.b` → `GET_PATH(f(…), 'a.b')`.
 * Returns errors for constructs recognised but refused.
 */
export function applySnowflakeRewrites(pieces: Piece[], quotedText: (placeholder: string) => string | undefined): SnowflakeRewrites {
  const errors: string[] = [];
  const aliasColumns = new Map<string, string[]>();
  const idx = pieces.flatMap((p, i) => (p.sig ? [i] : []));
  const p = (k: number): Piece | undefined => (k >= 0 && k < idx.length ? pieces[idx[k]!] : undefined);
  const up = (k: number): string => {
    const x = p(k);
    return x && x.kind === 'word' ? x.text.toUpperCase() : (x?.text ?? '');
  };
  const blank = (from: number, to: number): void => {
    for (let k = from; k <= to; k++) p(k)!.text = '';
  };
  /** Index of the `)` (or `]`) matching the opener at `open`, or -1. */
  const closing = (open: number, pair: '()' | '[]' = '()'): number => {
    let depth = 0;
    for (let k = open; k < idx.length; k++) {
      const t = p(k)!.text;
      if (t === pair[0]) depth++;
      else if (t === pair[1] && --depth === 0) return k;
    }
    return -1;
  };
  const isNumber = (k: number): boolean => p(k)?.kind === 'number';
  const braces: number[] = [];
  let pendingOffset: string | null = null;
  const brackets: { k: number; array: boolean }[] = [];
  for (let k = 0; k < idx.length; k++) {
    const w = up(k);
    const prevText = p(k - 1)?.text ?? '';
    const afterDot = prevText === '.';
    if (p(k)!.kind === 'word' && !afterDot) {
      if (w === 'OFFSET' && isNumber(k + 1) && (up(k + 2) === 'ROW' || up(k + 2) === 'ROWS')) {
        const m = p(k + 1)!.text;
        if (up(k + 3) === 'FETCH') {
          blank(k, k + 2);
          p(k + 3)!.text = 'FETCH';
          // The FETCH branch below reads the offset from here.
          pendingOffset = m;
        } else p(k + 2)!.text = '';
        continue;
      }
      if (w === 'FETCH' && (up(k + 1) === 'FIRST' || up(k + 1) === 'NEXT') && isNumber(k + 2) && (up(k + 3) === 'ROW' || up(k + 3) === 'ROWS') && up(k + 4) === 'ONLY') {
        p(k)!.text = 'LIMIT';
        p(k + 1)!.text = '';
        p(k + 3)!.text = '';
        p(k + 4)!.text = pendingOffset === null ? '' : `OFFSET ${pendingOffset}`;
        pendingOffset = null;
        k += 4;
        continue;
      }
      if ((w === 'SAMPLE' || w === 'TABLESAMPLE') && (p(k + 1)?.text === '(' || (SAMPLE_METHODS.has(up(k + 1)) && p(k + 2)?.text === '('))) {
        const open = p(k + 1)?.text === '(' ? k + 1 : k + 2;
        const close = closing(open);
        const inside = close - open - 1;
        const sizeOk = close > 0 && isNumber(open + 1) && (inside === 1 || (inside === 2 && up(open + 2) === 'ROWS'));
        if (!sizeOk) {
          errors.push(`${w} takes a number (percent) or a number of ROWS`);
          continue;
        }
        let end = close;
        if ((up(close + 1) === 'REPEATABLE' || up(close + 1) === 'SEED') && p(close + 2)?.text === '(' && isNumber(close + 3) && p(close + 4)?.text === ')') end = close + 4;
        blank(k, end);
        k = end;
        continue;
      }
      if ((w === 'AT' || w === 'BEFORE') && p(k + 1)?.text === '(' && TIME_TRAVEL_KINDS.has(up(k + 2)) && p(k + 3)?.text === '=>') {
        const close = closing(k + 1);
        if (close < 0) continue;
        for (let j = k + 4; j < close; j++) {
          const x = p(j)!;
          if (x.kind === 'word' && !TIME_TRAVEL_WORDS.has(x.text.toUpperCase())) errors.push(`${w}(${up(k + 2)} => …) must be a constant point in time; ${x.text} is not allowed there`);
          else if (x.kind !== 'word' && x.kind !== 'string' && x.kind !== 'number' && !['(', ')', '::', '-', '+', '*', '/', ','].includes(x.text)) errors.push(`${w}(${up(k + 2)} => …) must be a constant point in time; ${x.text} is not allowed there`);
        }
        blank(k, close);
        k = close;
        continue;
      }
      if (w === 'NATURAL' && (up(k + 1) === 'JOIN' || ['INNER', 'LEFT', 'RIGHT', 'FULL'].includes(up(k + 1)))) {
        p(k)!.text = '';
        continue;
      }
      if (prevText === '::' && SEMI_STRUCTURED_TYPES.has(w)) {
        p(k)!.text = 'JSON';
        continue;
      }
      if (w === 'GROUPING' && up(k + 1) === 'SETS' && p(k + 2)?.text === '(') {
        p(k)!.text = 'ROLLUP';
        p(k + 1)!.text = '';
        continue;
      }
    }
    const t = p(k)!.text;
    const before = up(k - 1);
    if (isIdent(k) && (before === 'AS' || prevText === ')') && p(k + 1)?.text === '(') {
      const close = closing(k + 1);
      const names: string[] = [];
      for (let j = k + 2; j < close; j += 2) {
        if (!isIdent(j) || !(p(j + 1)?.text === ',' || j + 1 === close)) break;
        names.push(p(j)!.text);
      }
      if (close > 0 && names.length > 0 && names.length * 2 === close - k - 1) {
        aliasColumns.set(p(k)!.text.toUpperCase(), names);
        blank(k + 1, close);
        k = close;
        continue;
      }
    }
    if (t === '(' && p(k + 1)?.text === ')' && (prevText === '(' || prevText === ',')) {
      p(k)!.text = '(NULL';
    } else if (t === '{') {
      braces.push(k);
      p(k)!.text = 'OBJECT_CONSTRUCT(';
    } else if (t === '}' && braces.length > 0) {
      braces.pop();
      p(k)!.text = ')';
    } else if (t === ':' && braces.length > 0 && p(k - 1)?.kind === 'string' && p(k - 2) !== undefined && ['{', ','].includes(originalBefore(k - 2))) {
      p(k)!.text = ',';
    } else if (t === '[') {
      const prev = p(k - 1);
      const array = !prev || (prev.kind === 'operator' && ![')', ']'].includes(prev.text)) || (prev.kind === 'word' && EXPRESSION_START_WORDS.has(prev.text.toUpperCase()));
      brackets.push({ k, array });
      if (array) p(k)!.text = 'ARRAY_CONSTRUCT(';
    } else if (t === ']') {
      const open = brackets.pop();
      if (open?.array) p(k)!.text = ')';
    } else if (t === ':' && isPathElement(k + 1)) {
      const prev = p(k - 1);
      if (prev && (prev.kind === 'word' || prev.kind === 'quoted-ident' || prev.text === ']')) bracketPath(k);
      else if (prev?.text === ')') getPathCall(k);
    }
  }
  return { errors, aliasColumns };

  function isIdent(k: number): boolean {
    const x = p(k);
    return x !== undefined && (x.kind === 'quoted-ident' || (x.kind === 'word' && !/^(SELECT|FROM|WHERE|ON|USING|JOIN|LATERAL|TABLE)$/i.test(x.text)));
  }
  // `{` and `,` are rewritten in place, so look at what the token was before: an object key follows them.
  function originalBefore(k: number): string {
    const x = p(k)!;
    if (x.text === 'OBJECT_CONSTRUCT(') return '{';
    return x.text;
  }
  function isPathElement(k: number): boolean {
    const x = p(k);
    return x !== undefined && (x.kind === 'word' || x.kind === 'quoted-ident');
  }
  /** Reads the path after the `:` at k (`a.b[0]."c d"`), blanking it; returns its elements and where it ends. */
  function takePath(colon: number): { keys: { k: number; key: string }[]; end: number } {
    const keys: { k: number; key: string }[] = [];
    let j = colon;
    while ((p(j)?.text === ':' && j === colon) || (p(j)?.text === '.' && j > colon)) {
      if (!isPathElement(j + 1)) break;
      const el = p(j + 1)!;
      keys.push({ k: j + 1, key: el.kind === 'quoted-ident' ? (quotedText(el.text) ?? el.text) : el.text });
      p(j)!.text = '';
      j += 2;
      while (p(j)?.text === '[') {
        const endBracket = closing(j, '[]');
        if (endBracket < 0) break;
        j = endBracket + 1;
      }
    }
    return { keys, end: j - 1 };
  }
  /** `col:a.b[0].c` → `col['a']['b'][0]['c']` (the grammar fails on paths of three or more steps). */
  function bracketPath(colon: number): void {
    for (const { k, key } of takePath(colon).keys) p(k)!.text = /['\\]/.test(key) ? "['_']" : `['${key}']`;
  }
  /** `f(x):a.b` → `GET_PATH(f(x), 'a.b')` (the grammar has no path after a call). */
  function getPathCall(colon: number): void {
    let depth = 0;
    let open = -1;
    for (let j = colon - 1; j >= 0; j--) {
      const x = p(j)!.text;
      if (x === ')') depth++;
      else if (x === '(' && --depth === 0) {
        open = j;
        break;
      }
    }
    const fn = open > 0 && p(open - 1)?.kind === 'word' ? open - 1 : open;
    if (fn < 0) return;
    const { keys } = takePath(colon);
    const path = keys.map((x) => x.key).join('.');
    keys.forEach((x, i) => (p(x.k)!.text = i === 0 ? (/['\\]/.test(path) ? ", '_')" : `, '${path}')`) : ''));
    p(fn)!.text = `GET_PATH(${p(fn)!.text}`;
  }
}

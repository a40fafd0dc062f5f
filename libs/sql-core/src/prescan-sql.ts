import { significantTokens, SqlTokenizeError, tokenizeSql, TokenKind, type Token } from './sql-tokenizer.ts';

/**
 * Words that never belong in a read-only query. Found as bare words (outside strings and quoted
 * identifiers, not after a `.`) they reject the statement even if the parser would accept it.
 */
const FORBIDDEN_WORDS = new Set([
  'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'UPSERT', 'CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'UNDROP',
  'GRANT', 'REVOKE', 'EXECUTE', 'EXEC', 'IMMEDIATE', 'INTO',
]);

/**
 * Statement words that are also plausible table/column names (a Spider table is called SHOW). They are
 * forbidden too, unless the caller's catalog has an object of that name: the single-statement rule and
 * the AST walk still hold, so the word can only be that object.
 */
const STATEMENT_WORDS = new Set([
  'RENAME', 'CALL', 'COPY', 'PUT', 'USE', 'BEGIN', 'COMMIT', 'ROLLBACK', 'DECLARE', 'UNSET', 'SHOW',
  'DESCRIBE', 'EXPLAIN', 'PROCEDURE',
]);

/** Function-like words that escape the catalog or read outside it. */
const FORBIDDEN_FUNCTIONS = new Set(['IDENTIFIER', 'RESULT_SCAN', 'GETVARIABLE', 'INFER_SCHEMA', 'GET_DDL', 'GET_OBJECT_REFERENCES']);

const SET_OPS = new Set(['UNION', 'INTERSECT', 'EXCEPT', 'MINUS']);

/** Placeholders stand for quoted identifiers in the parser's input; user text may not imitate them. */
export const PLACEHOLDER_PATTERN = /^zzq\d+zz$/i;

/** The result of the token-level safety pass. */
export interface Prescan {
  readonly errors: string[];
  /** Text handed to the parser: quoted identifiers as placeholders, set operators as UNION, no `;`. */
  readonly parseText: string;
  /** Placeholder (upper-cased) → exact text of the quoted identifier it stands for. */
  readonly placeholders: ReadonlyMap<string, string>;
  /** Edits on the original SQL that inject/cap the LIMIT and drop a trailing `;` (when no errors). */
  readonly limitEdits: readonly TextEdit[];
  /** Offset of each parser-input piece → offset of the original token it came from. */
  readonly originOffsets: ReadonlyMap<number, number>;
}

/** A replacement of `sql.slice(start, end)` by `text` (offsets in the original SQL). */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Applies non-overlapping edits (insertions at the same offset keep their order). */
export function applyEdits(sql: string, edits: readonly TextEdit[]): string {
  let out = sql;
  const ordered = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.start - a.e.start || b.i - a.i);
  for (const { e } of ordered) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function upper(t: Token): string {
  return t.kind === TokenKind.Word ? t.text.toUpperCase() : '';
}

/**
 * Token-level safety checks (statement count, comments, statement keyword, forbidden words, stage
 * references, variables) plus the normalisations that let node-sql-parser parse valid Snowflake, and
 * the LIMIT rewrite done on tokens so the returned SQL is the caller's text, not a re-serialisation.
 */
export function prescanSql(sql: string, maxRows: number, catalogNames: ReadonlySet<string> = new Set()): Prescan {
  const errors: string[] = [];
  let tokens: Token[];
  try {
    tokens = tokenizeSql(sql);
  } catch (err) {
    if (err instanceof SqlTokenizeError) return { errors: [`lexical error: ${err.message}`], parseText: '', placeholders: new Map(), limitEdits: [], originOffsets: new Map() };
    throw err;
  }
  const sig = significantTokens(tokens);
  if (sig.length === 0) return { errors: ['empty statement'], parseText: '', placeholders: new Map(), limitEdits: [], originOffsets: new Map() };
  if (tokens.some((t) => t.kind === TokenKind.Comment)) {
    errors.push('comments are not allowed in a query (a comment can hide a second statement)');
  }
  // Statement count: at most one `;` and only as the last token.
  const semis = sig.filter((t) => t.text === ';' && t.kind === TokenKind.Operator);
  const last = sig[sig.length - 1]!;
  if (semis.length > 1 || (semis.length === 1 && semis[0] !== last)) {
    errors.push('multiple statements are not allowed: exactly one statement per request');
  }
  const firstWord = sig.find((t) => t.text !== '(');
  const head = firstWord ? upper(firstWord) || firstWord.text : '';
  if (head !== 'SELECT' && head !== 'WITH') {
    errors.push(`only SELECT or WITH queries are allowed; statement starts with ${JSON.stringify(firstWord?.text ?? '')}`);
  }
  sig.forEach((t, idx) => {
    const prev = sig[idx - 1];
    const next = sig[idx + 1];
    if (t.kind === TokenKind.Word) {
      const w = t.text.toUpperCase();
      const afterDot = prev?.text === '.' && prev.kind === TokenKind.Operator;
      if (w.startsWith('SYSTEM$')) errors.push(`forbidden function ${t.text}: SYSTEM$ functions are not allowed`);
      else if (!afterDot && FORBIDDEN_WORDS.has(w)) errors.push(`forbidden keyword ${w}: only read-only SELECT queries are allowed (quote it if it is a column name)`);
      else if (!afterDot && STATEMENT_WORDS.has(w) && !catalogNames.has(w)) errors.push(`forbidden keyword ${w}: only read-only SELECT queries are allowed`);
      else if (FORBIDDEN_FUNCTIONS.has(w) && next?.text === '(') errors.push(`forbidden function ${w}(): it reads objects outside the catalog`);
      else if (PLACEHOLDER_PATTERN.test(t.text)) errors.push(`identifier ${t.text} is reserved`);
      if (w === 'FETCH' && !afterDot) errors.push('FETCH FIRST/NEXT is not supported; use LIMIT');
    } else if (t.kind === TokenKind.Variable) {
      errors.push(`${t.text}: session variables and positional/stage columns ($n) are not allowed`);
    } else if (t.kind === TokenKind.DollarString) {
      errors.push('$$-quoted strings are not allowed (they carry scripting blocks)');
    } else if (t.kind === TokenKind.Operator && t.text === '@') {
      errors.push('stage references (@...) are not allowed');
    } else if (t.kind === TokenKind.Operator && t.text === '?') {
      errors.push('bind parameters (?) are not allowed');
    }
  });

  const placeholders = new Map<string, string>();
  const { text: parseText, originOffsets } = buildParseText(tokens, last, placeholders);
  const limitEdits = errors.length === 0 ? limitRewrite(sql, sig, maxRows, errors) : [];
  return { errors: dedupe(errors), parseText, placeholders, limitEdits, originOffsets };
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Caps every top-level LIMIT/TOP at maxRows and appends `LIMIT maxRows` when the result is unbounded. */
function limitRewrite(sql: string, sig: readonly Token[], maxRows: number, errors: string[]): TextEdit[] {
  let depth = 0;
  let lastSetOp = -1;
  const limits: number[] = [];
  const tops: number[] = [];
  const offsets: number[] = [];
  sig.forEach((t, idx) => {
    if (t.kind === TokenKind.Operator && (t.text === '(' || t.text === '[')) depth++;
    else if (t.kind === TokenKind.Operator && (t.text === ')' || t.text === ']')) depth--;
    else if (depth === 0 && t.kind === TokenKind.Word) {
      const w = t.text.toUpperCase();
      const prev = sig[idx - 1];
      if (prev?.text === '.') return;
      if (SET_OPS.has(w)) lastSetOp = idx;
      else if (w === 'LIMIT') limits.push(idx);
      else if (w === 'TOP') tops.push(idx);
      else if (w === 'OFFSET') offsets.push(idx);
    }
  });
  const edits: TextEdit[] = [];
  for (const idx of [...limits, ...tops]) {
    const num = sig[idx + 1];
    const keyword = sig[idx]!.text.toUpperCase();
    if (!num || num.kind !== TokenKind.Number || !/^\d+$/.test(num.text)) {
      errors.push(`${keyword} must be followed by a non-negative integer literal`);
      continue;
    }
    if (Number(num.text) > maxRows) edits.push({ start: num.start, end: num.end, text: String(maxRows) });
  }
  const finalLimit = limits.some((idx) => idx > lastSetOp);
  const topBounds = lastSetOp < 0 && tops.length > 0;
  const body = sig[sig.length - 1]!.text === ';' ? sig[sig.length - 2] : sig[sig.length - 1];
  const bodyEnd = body?.end ?? sql.length;
  let append = '';
  if (!finalLimit && !topBounds) {
    // `OFFSET m` without LIMIT: the LIMIT goes before it (`LIMIT n OFFSET m`).
    const offset = offsets.find((idx) => idx > lastSetOp);
    if (offset === undefined) append = ` LIMIT ${maxRows}`;
    else edits.push({ start: sig[offset]!.start, end: sig[offset]!.start, text: `LIMIT ${maxRows} ` });
  }
  edits.push({ start: bodyEnd, end: sql.length, text: append });
  return edits;
}

const PAREN_KEYWORDS = new Set([
  'SELECT', 'WHERE', 'AND', 'OR', 'NOT', 'ON', 'WHEN', 'THEN', 'ELSE', 'HAVING', 'QUALIFY', 'BY', 'IN', 'IS',
  'LIKE', 'ILIKE', 'BETWEEN', 'DISTINCT', 'AS', 'FROM', 'JOIN', 'CASE', 'END', 'ALL', 'ANY', 'EXISTS',
]);

interface Piece {
  text: string;
  sig: boolean;
  /** Offset of the original token this piece stands for. */
  origin: number;
}

/**
 * Parser input, built from tokens. Each normalisation keeps the query's structure (the resolver still
 * sees every column and subquery) and only works around gaps of node-sql-parser's snowflake grammar:
 *  1. `"quoted"` identifiers → placeholders (the AST otherwise loses quoting and case);
 *  2. string literals with escapes / `$$` strings → a neutral literal (no lexer disagreement possible);
 *  3. INTERSECT / EXCEPT / MINUS → UNION (missing from the grammar; branches are validated alike);
 *  4. `(expr)::type` → `CAST((expr) AS type)` (fails outside the SELECT list);
 *  5. `WITHIN GROUP (ORDER BY …)` → `OVER (ORDER BY …)`, ARRAY_AGG → LISTAGG (aggregate ordering);
 *  6. `IS [NOT] DISTINCT FROM` → `<>` / `=`; RLIKE / REGEXP operators → LIKE;
 *  7. the trailing `;` is dropped.
 */
function buildParseText(
  tokens: readonly Token[],
  last: Token,
  placeholders: Map<string, string>,
): { text: string; originOffsets: Map<number, number> } {
  const pieces: Piece[] = [];
  for (const t of tokens) {
    if (t === last && t.text === ';') continue;
    const sig = t.kind !== TokenKind.Whitespace;
    const w = upper(t);
    if (t.kind === TokenKind.QuotedIdent) {
      const ph = `ZZQ${placeholders.size}ZZ`;
      placeholders.set(ph, t.value);
      pieces.push({ text: ph, sig, origin: t.start });
    } else if (t.kind === TokenKind.String) {
      pieces.push({ text: /[\\']/.test(t.text.slice(1, -1)) ? "'_'" : t.text, sig, origin: t.start });
    } else if (t.kind === TokenKind.DollarString) {
      pieces.push({ text: "'_'", sig, origin: t.start });
    } else if (w === 'INTERSECT' || w === 'EXCEPT' || w === 'MINUS') {
      pieces.push({ text: 'UNION', sig, origin: t.start });
    } else if (w === 'RLIKE' || w === 'REGEXP') {
      pieces.push({ text: 'LIKE', sig, origin: t.start });
    } else if (w === 'ARRAY_AGG' || w === 'ARRAYAGG') {
      pieces.push({ text: 'LISTAGG', sig, origin: t.start });
    } else {
      pieces.push({ text: t.text, sig, origin: t.start });
    }
  }
  const sigIdx = (): number[] => pieces.flatMap((p, i) => (p.sig ? [i] : []));
  // 5 and 6: keyword sequences.
  let idx = sigIdx();
  for (let k = 0; k < idx.length; k++) {
    const at = (d: number): string => (pieces[idx[k + d]!]?.text ?? '').toUpperCase();
    if (at(0) === 'WITHIN' && at(1) === 'GROUP' && at(2) === '(') {
      pieces[idx[k]!]!.text = 'OVER';
      pieces[idx[k + 1]!]!.text = '';
    } else if (at(0) === 'IS' && at(1) === 'NOT' && at(2) === 'DISTINCT' && at(3) === 'FROM') {
      pieces[idx[k]!]!.text = '=';
      for (let d = 1; d <= 3; d++) pieces[idx[k + d]!]!.text = '';
    } else if (at(0) === 'IS' && at(1) === 'DISTINCT' && at(2) === 'FROM') {
      pieces[idx[k]!]!.text = '<>';
      for (let d = 1; d <= 2; d++) pieces[idx[k + d]!]!.text = '';
    }
  }
  // 4: parenthesised casts, innermost-first by repeated scanning.
  for (let guard = 0; guard < 1000; guard++) {
    idx = sigIdx().filter((i) => pieces[i]!.text !== '');
    let done = true;
    for (let k = 0; k + 2 < idx.length; k++) {
      if (pieces[idx[k]!]!.text !== ')' || pieces[idx[k + 1]!]!.text !== '::') continue;
      let depth = 0;
      let open = -1;
      for (let j = k; j >= 0; j--) {
        const x = pieces[idx[j]!]!.text;
        if (x === ')') depth++;
        else if (x === '(' && --depth === 0) {
          open = j;
          break;
        }
      }
      if (open < 0) break;
      let startK = open;
      const before = open > 0 ? pieces[idx[open - 1]!]! : undefined;
      if (before && /^[A-Za-z_][A-Za-z0-9_$]*$/.test(before.text) && !PAREN_KEYWORDS.has(before.text.toUpperCase())) startK = open - 1;
      let endK = k + 2;
      if (pieces[idx[endK + 1]!]?.text === '(') {
        let d = 0;
        for (let j = endK + 1; j < idx.length; j++) {
          const x = pieces[idx[j]!]!.text;
          if (x === '(') d++;
          else if (x === ')' && --d === 0) {
            endK = j;
            break;
          }
        }
      }
      const typeText = idx.slice(k + 2, endK + 1).map((i) => pieces[i]!.text).join('');
      pieces[idx[startK]!]!.text = `CAST(${pieces[idx[startK]!]!.text}`;
      pieces[idx[k]!]!.text = `) AS ${typeText})`;
      for (let j = k + 1; j <= endK; j++) pieces[idx[j]!]!.text = '';
      done = false;
      break;
    }
    if (done) break;
  }
  const originOffsets = new Map<number, number>();
  let at = 0;
  for (const p of pieces) {
    if (p.text.length > 0 && !originOffsets.has(at)) originOffsets.set(at, p.origin);
    at += p.text.length;
  }
  return { text: pieces.map((p) => p.text).join(''), originOffsets };
}

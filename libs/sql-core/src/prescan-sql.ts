import { limitRewrite, type TextEdit } from './limit-rewrite.ts';
import { buildParseText, PLACEHOLDER_PATTERN } from './parse-text.ts';
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
  /** Every token of the statement (comments and whitespace included). */
  readonly tokens: readonly Token[];
  /** FROM-item aliases written with a column list (`AS p (a, b)`), by upper-cased parser text of the alias. */
  readonly aliasColumns: ReadonlyMap<string, readonly string[]>;
}

function upper(t: Token): string {
  return t.kind === TokenKind.Word ? t.text.toUpperCase() : '';
}

/**
 * Token-level safety checks (statement count, non-ASCII words, statement keyword, forbidden words, stage
 * references, variables) plus the normalisations that let node-sql-parser parse valid Snowflake, and
 * the LIMIT rewrite done on tokens so the returned SQL is the caller's text, not a re-serialisation.
 */
export function prescanSql(sql: string, maxRows: number, catalogNames: ReadonlySet<string> = new Set()): Prescan {
  const errors: string[] = [];
  let tokens: Token[];
  try {
    tokens = tokenizeSql(sql);
  } catch (err) {
    if (err instanceof SqlTokenizeError) return { errors: [`lexical error: ${err.message}`], parseText: '', placeholders: new Map(), limitEdits: [], originOffsets: new Map(), aliasColumns: new Map(), tokens: [] };
    throw err;
  }
  const sig = significantTokens(tokens);
  if (sig.length === 0) return { errors: ['empty statement'], parseText: '', placeholders: new Map(), limitEdits: [], originOffsets: new Map(), aliasColumns: new Map(), tokens: [] };
  // Comments are allowed: the tokenizer has found them, so everything below sees only the tokens
  // Snowflake executes, and the statement that runs has them removed (see commentEdits).
  for (const t of tokens) {
    if (t.kind === TokenKind.Word && /[^\x00-\x7f]/.test(t.text)) {
      errors.push(`unquoted name ${JSON.stringify(t.text)} contains ${describeChar(t.text)}: unquoted identifiers and keywords are ASCII (look-alike and invisible characters are refused)`);
    } else if (t.kind === TokenKind.Whitespace && /[^ \t\r\n\f\v]/.test(t.text)) {
      errors.push(`whitespace contains ${describeChar(t.text.replace(/[ \t\r\n\f\v]/g, ''))}: only ASCII spaces, tabs and line breaks separate words`);
    }
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
  const { text: parseText, originOffsets, errors: rewriteErrors, aliasColumns } = buildParseText(tokens, last, placeholders);
  errors.push(...rewriteErrors);
  const limitEdits = errors.length === 0 ? [...commentEdits(tokens, sig), ...limitRewrite(sql, sig, maxRows, errors)] : [];
  return { errors: dedupe(errors), parseText, placeholders, limitEdits, originOffsets, aliasColumns, tokens };
}

/**
 * Removes the comments from the statement that runs (before its last significant token; the LIMIT
 * edit replaces what follows). A line comment goes (its line break stays), a block comment becomes a space, so the
 * warehouse executes exactly the tokens validated even if its own comment rules differ (DuckDB has
 * no `//` comments).
 */
function commentEdits(tokens: readonly Token[], sig: readonly Token[]): TextEdit[] {
  const lastBody = sig[sig.length - 1]!.text === ';' ? sig[sig.length - 2] : sig[sig.length - 1];
  const end = lastBody?.end ?? 0;
  return tokens
    .filter((t) => t.kind === TokenKind.Comment && t.end <= end)
    .map((t) => ({ start: t.start, end: t.end, text: t.text.startsWith('/*') ? ' ' : '' }));
}

function describeChar(text: string): string {
  const c = [...text].find((ch) => (ch.codePointAt(0) ?? 0) > 0x7f || !/[ -~]/.test(ch)) ?? text[0] ?? '';
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

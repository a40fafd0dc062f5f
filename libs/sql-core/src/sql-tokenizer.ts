/** Kinds of lexical tokens in Snowflake SQL. */
export const TokenKind = {
  Word: 'word',
  QuotedIdent: 'quoted-ident',
  String: 'string',
  DollarString: 'dollar-string',
  Number: 'number',
  Variable: 'variable',
  Operator: 'operator',
  Comment: 'comment',
  Whitespace: 'whitespace',
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

/** One token with its source span; `value` is the unquoted text for strings and quoted identifiers. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/** A lexical error (unterminated string/comment/identifier, stray character) with its offset. */
export class SqlTokenizeError extends Error {
  override readonly name = 'SqlTokenizeError';
}

const MULTI_OPS = ['::', '=>', '->', '<=', '>=', '<>', '!=', '||'];
const SINGLE_OPS = new Set([...'+-*/%=<>(),.;:[]{}|&^~@?!']);

function isWordStart(c: string): boolean {
  return /[A-Za-z_\u0080-\uffff]/.test(c);
}

function isWordPart(c: string): boolean {
  return /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
}

/**
 * Splits SQL into tokens following Snowflake's lexical rules (`--`/`//`/`/* *\/` comments, `'...'`
 * strings with `''` and backslash escapes, `$$...$$` strings, `"..."` identifiers with `""`).
 * Exists because the safety pre-scan must see exactly what Snowflake sees, independent of the parser.
 */
export function tokenizeSql(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, start: number, end: number, value?: string): void => {
    const text = sql.slice(start, end);
    tokens.push({ kind, text, value: value ?? text, start, end });
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1] ?? '';
    const start = i;
    if (/\s/.test(c)) {
      while (i < n && /\s/.test(sql[i]!)) i++;
      push(TokenKind.Whitespace, start, i);
    } else if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
      while (i < n && sql[i] !== '\n' && sql[i] !== '\r') i++;
      push(TokenKind.Comment, start, i);
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) throw new SqlTokenizeError(`unterminated /* comment starting at offset ${start}`);
      i = close + 2;
      push(TokenKind.Comment, start, i);
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) throw new SqlTokenizeError(`unterminated string literal starting at offset ${start}`);
        const ch = sql[i]!;
        if (ch === '\\') {
          if (i + 1 >= n) throw new SqlTokenizeError(`unterminated string literal starting at offset ${start}`);
          value += sql[i + 1];
          i += 2;
        } else if (ch === "'") {
          if (sql[i + 1] === "'") {
            value += "'";
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          value += ch;
          i++;
        }
      }
      push(TokenKind.String, start, i, value);
    } else if (c === '$' && next === '$') {
      const close = sql.indexOf('$$', i + 2);
      if (close < 0) throw new SqlTokenizeError(`unterminated $$ string starting at offset ${start}`);
      i = close + 2;
      push(TokenKind.DollarString, start, i, sql.slice(start + 2, close));
    } else if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) throw new SqlTokenizeError(`unterminated quoted identifier starting at offset ${start}`);
        const ch = sql[i]!;
        if (ch === '"') {
          if (sql[i + 1] === '"') {
            value += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          value += ch;
          i++;
        }
      }
      if (value.length === 0) throw new SqlTokenizeError(`empty quoted identifier at offset ${start}`);
      push(TokenKind.QuotedIdent, start, i, value);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next))) {
      while (i < n && /[0-9]/.test(sql[i]!)) i++;
      if (sql[i] === '.') {
        i++;
        while (i < n && /[0-9]/.test(sql[i]!)) i++;
      }
      if ((sql[i] === 'e' || sql[i] === 'E') && /[0-9+-]/.test(sql[i + 1] ?? '')) {
        i += 2;
        while (i < n && /[0-9]/.test(sql[i]!)) i++;
      }
      push(TokenKind.Number, start, i);
    } else if (c === '$') {
      i++;
      while (i < n && isWordPart(sql[i]!)) i++;
      push(TokenKind.Variable, start, i);
    } else if (isWordStart(c)) {
      while (i < n && isWordPart(sql[i]!)) i++;
      push(TokenKind.Word, start, i);
    } else {
      const two = sql.slice(i, i + 2);
      if (MULTI_OPS.includes(two)) {
        i += 2;
        push(TokenKind.Operator, start, i);
      } else if (SINGLE_OPS.has(c)) {
        i++;
        push(TokenKind.Operator, start, i);
      } else {
        throw new SqlTokenizeError(`unexpected character ${JSON.stringify(c)} at offset ${start}`);
      }
    }
  }
  return tokens;
}

/** Tokens that carry meaning (no whitespace, no comments). */
export function significantTokens(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== TokenKind.Whitespace && t.kind !== TokenKind.Comment);
}

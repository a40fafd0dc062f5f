import { applySnowflakeRewrites, type Piece } from './parse-rewrites.ts';
import { TokenKind, type Token } from './sql-tokenizer.ts';

/** Placeholders stand for quoted identifiers in the parser's input; user text may not imitate them. */
export const PLACEHOLDER_PATTERN = /^zzq\d+zz$/i;

function upper(t: Token): string {
  return t.kind === TokenKind.Word ? t.text.toUpperCase() : '';
}

const PAREN_KEYWORDS = new Set([
  'SELECT', 'WHERE', 'AND', 'OR', 'NOT', 'ON', 'WHEN', 'THEN', 'ELSE', 'HAVING', 'QUALIFY', 'BY', 'IN', 'IS',
  'LIKE', 'ILIKE', 'BETWEEN', 'DISTINCT', 'AS', 'FROM', 'JOIN', 'CASE', 'END', 'ALL', 'ANY', 'EXISTS',
]);

/**
 * Parser input, built from tokens. Each normalisation keeps the query's structure (the resolver still
 * sees every column and subquery) and only works around gaps of node-sql-parser's snowflake grammar:
 *  1. `"quoted"` identifiers → placeholders (the AST otherwise loses quoting and case);
 *  2. string literals with escapes / `$$` strings → a neutral literal (no lexer disagreement possible);
 *  3. INTERSECT / EXCEPT / MINUS → UNION (missing from the grammar; branches are validated alike);
 *  4. `(expr)::type` → `CAST((expr) AS type)` (fails outside the SELECT list);
 *  5. `WITHIN GROUP (ORDER BY …)` → `OVER (ORDER BY …)`, ARRAY_AGG → LISTAGG (aggregate ordering);
 *  6. `IS [NOT] DISTINCT FROM` → `<>` / `=`; RLIKE / REGEXP operators → LIKE;
 *  7. the trailing `;` is dropped; comments become a space (the pre-scan has already seen them);
 *  8. the Snowflake clauses of {@link applySnowflakeRewrites} (FETCH, SAMPLE, AT/BEFORE, GROUPING SETS,
 *     object/array constants, paths after subscripts).
 * Errors are constructs recognised but refused (a time-travel point that is not a constant).
 */
export function buildParseText(
  tokens: readonly Token[],
  last: Token,
  placeholders: Map<string, string>,
): { text: string; originOffsets: Map<number, number>; errors: string[]; aliasColumns: Map<string, string[]> } {
  const pieces: Piece[] = [];
  for (const t of tokens) {
    if (t === last && t.text === ';') continue;
    const sig = t.kind !== TokenKind.Whitespace && t.kind !== TokenKind.Comment;
    const w = upper(t);
    const kind = t.kind;
    if (t.kind === TokenKind.Comment) {
      pieces.push({ text: ' ', sig, origin: t.start, kind });
    } else if (t.kind === TokenKind.QuotedIdent) {
      const ph = `ZZQ${placeholders.size}ZZ`;
      placeholders.set(ph, t.value);
      pieces.push({ text: ph, sig, origin: t.start, kind });
    } else if (t.kind === TokenKind.String) {
      pieces.push({ text: /[\\']/.test(t.text.slice(1, -1)) ? "'_'" : t.text, sig, origin: t.start, kind });
    } else if (t.kind === TokenKind.DollarString) {
      pieces.push({ text: "'_'", sig, origin: t.start, kind });
    } else if (w === 'INTERSECT' || w === 'EXCEPT' || w === 'MINUS') {
      pieces.push({ text: 'UNION', sig, origin: t.start, kind });
    } else if (w === 'RLIKE' || w === 'REGEXP') {
      pieces.push({ text: 'LIKE', sig, origin: t.start, kind });
    } else if (w === 'ARRAY_AGG' || w === 'ARRAYAGG') {
      pieces.push({ text: 'LISTAGG', sig, origin: t.start, kind });
    } else {
      pieces.push({ text: t.text, sig, origin: t.start, kind });
    }
  }
  // node-sql-parser trims leading whitespace before it records offsets: the input must start with a token.
  for (const p of pieces) {
    if (p.sig) break;
    p.text = '';
  }
  const { errors, aliasColumns } = applySnowflakeRewrites(pieces, (ph) => placeholders.get(ph.toUpperCase()));
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
  return { text: pieces.map((p) => p.text).join(''), originOffsets, errors, aliasColumns };
}

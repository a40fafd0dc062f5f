import { TokenKind, type Token } from './sql-tokenizer.ts';

const SET_OPS = new Set(['UNION', 'INTERSECT', 'EXCEPT', 'MINUS']);

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

/** Caps every top-level LIMIT/TOP/FETCH FIRST|NEXT at maxRows and appends `LIMIT maxRows` when the result is unbounded. */
export function limitRewrite(sql: string, sig: readonly Token[], maxRows: number, errors: string[]): TextEdit[] {
  let depth = 0;
  let lastSetOp = -1;
  const limits: number[] = [];
  const tops: number[] = [];
  const offsets: number[] = [];
  const fetches: number[] = [];
  sig.forEach((t, idx) => {
    if (t.kind === TokenKind.Operator && (t.text === '(' || t.text === '[')) depth++;
    else if (t.kind === TokenKind.Operator && (t.text === ')' || t.text === ']')) depth--;
    else if (depth === 0 && t.kind === TokenKind.Word) {
      const w = t.text.toUpperCase();
      const prev = sig[idx - 1];
      if (prev?.text === '.') return;
      if (SET_OPS.has(w)) lastSetOp = idx;
      else if (w === 'LIMIT') limits.push(idx);
      else if (w === 'FETCH' && ['FIRST', 'NEXT'].includes(sig[idx + 1]?.text.toUpperCase() ?? '')) fetches.push(idx);
      else if (w === 'TOP') tops.push(idx);
      else if (w === 'OFFSET') offsets.push(idx);
    }
  });
  const edits: TextEdit[] = [];
  for (const idx of [...limits, ...tops, ...fetches]) {
    const isFetch = fetches.includes(idx);
    const num = sig[idx + (isFetch ? 2 : 1)];
    const keyword = isFetch ? `FETCH ${sig[idx + 1]!.text.toUpperCase()}` : sig[idx]!.text.toUpperCase();
    if (!num || num.kind !== TokenKind.Number || !/^\d+$/.test(num.text)) {
      errors.push(`${keyword} must be followed by a non-negative integer literal`);
      continue;
    }
    if (Number(num.text) > maxRows) edits.push({ start: num.start, end: num.end, text: String(maxRows) });
  }
  const finalLimit = [...limits, ...fetches].some((idx) => idx > lastSetOp);
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

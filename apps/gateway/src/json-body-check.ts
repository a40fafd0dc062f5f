// What JSON.parse lets through silently and a gateway must not: a key given twice in one object
// (JSON.parse keeps the last; a proxy or WAF in front may have judged the first — request smuggling)
// and a lone UTF-16 surrogate escape ("\ud800"), which is not Unicode and would reach the provider
// as U+FFFD or break its parser. One pass over the (already parsed, so well-formed) text, iterative,
// so 100,000 levels of nesting cost no stack.

/** The first problem found: the JSON path in OpenAI's notation (`messages[0].content`) and what is wrong. */
export interface JsonBodyProblem {
  readonly path: string;
  readonly message: string;
  readonly code: 'duplicate_key' | 'invalid_unicode';
}

type Frame = { readonly kind: 'object'; readonly keys: Set<string>; key: string | undefined; expectKey: boolean } | { readonly kind: 'array'; index: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function pathOf(stack: readonly Frame[]): string {
  let path = '';
  for (const f of stack) {
    if (f.kind === 'array') path += `[${f.index}]`;
    else if (f.key !== undefined) path += path === '' ? f.key : `.${f.key}`;
  }
  return path;
}

const isHigh = (u: number): boolean => u >= 0xd800 && u <= 0xdbff;
const isLow = (u: number): boolean => u >= 0xdc00 && u <= 0xdfff;

/** The `\uXXXX` escape's code unit at `i` (pointing at the backslash), or -1. */
function escapedUnit(text: string, i: number): number {
  if (text.charCodeAt(i) !== BACKSLASH || text[i + 1] !== 'u') return -1;
  return Number.parseInt(text.slice(i + 2, i + 6), 16);
}

/**
 * Scans a JSON text that JSON.parse accepted for duplicate keys and lone surrogate escapes; returns
 * the first, or undefined. Strings are skipped with indexOf, so long prompts cost little.
 */
export function findJsonBodyProblem(text: string): JsonBodyProblem | undefined {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Find the closing quote, checking every escape on the way.
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const q = text.indexOf('"', j);
        const b = text.indexOf('\\', j);
        if (b !== -1 && b < q) {
          escaped = true;
          const unit = escapedUnit(text, b);
          if (unit !== -1 && (isHigh(unit) ? !isLow(escapedUnit(text, b + 6)) : isLow(unit))) {
            const top = stack[stack.length - 1];
            const where = top?.kind === 'object' && top.expectKey ? `${pathOf(stack)} (a key)` : pathOf(stack);
            return { path: where, message: `contains a lone UTF-16 surrogate (\\u${text.slice(b + 2, b + 6)}), which is not valid Unicode`, code: 'invalid_unicode' };
          }
          j = b + (unit !== -1 && isHigh(unit) ? 12 : 2);
          continue;
        }
        j = q;
        break;
      }
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        top.expectKey = false;
        top.key = key;
        if (top.keys.has(key)) return { path: pathOf(stack), message: 'appears more than once in the same object; send each field once', code: 'duplicate_key' };
        top.keys.add(key);
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b) stack.push({ kind: 'object', keys: new Set(), key: undefined, expectKey: true });
    else if (c === 0x5b) stack.push({ kind: 'array', index: 0 });
    else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index++;
      else if (top) top.expectKey = true;
    }
    i++;
  }
  return undefined;
}

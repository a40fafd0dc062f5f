/** The shape of gpt-tokenizer's `countTokens` (any encoding): text and encode options → token count. */
export type CountTokens = (text: string, options: { disallowedSpecial: Set<string> }) => number;

/**
 * Longest pre-token handed to the BPE in one piece. gpt-tokenizer merges inside one pre-token in time
 * quadratic in its length, and its pre-tokenizer keeps a run of letters, CJK characters or newlines
 * together: 20,000 CJK characters took 2.1 s, 80,000 letters 6 s. Natural text has no pre-token this
 * long (a word, a number group, a punctuation or whitespace run), so its count is unchanged.
 */
export const MAX_RUN = 64;

/** Text like "<|endoftext|>" inside a prompt is text, not a special token (the default throws). */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

const RUN_HINT = 32;
const WHITESPACE = /\s/;

/**
 * False when `text` has no run of 32 non-space characters, 32 whitespace characters or 32 of `\r\n/`:
 * then no pre-token under the o200k, cl100k or r50k split patterns is longer than 63 (a pre-token is at
 * most one prefix character, one such run of its class and, for punctuation, a run of `[\r\n/]`), and
 * the text — nearly every prompt — is counted in one call without a pre-token scan. One pass over the
 * characters (a regex such as /\S{32}/ retries at every position and costs as much as the scan it saves).
 */
function mayHoldLongPreToken(text: string): boolean {
  let spaces = 0;
  let others = 0;
  let breaks = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const space = code === 32 || (code >= 9 && code <= 13) || (code > 127 && WHITESPACE.test(text[i]!));
    spaces = space ? spaces + 1 : 0;
    others = space ? 0 : others + 1;
    breaks = code === 10 || code === 13 || code === 47 ? breaks + 1 : 0;
    if (spaces >= RUN_HINT || others >= RUN_HINT || breaks >= RUN_HINT) return true;
  }
  return false;
}

/** Cuts a long pre-token into pieces of at most MAX_RUN code points (never splitting a surrogate pair). */
function pieces(run: string): string[] {
  const points = [...run];
  const out: string[] = [];
  for (let i = 0; i < points.length; i += MAX_RUN) out.push(points.slice(i, i + MAX_RUN).join(''));
  return out;
}

/**
 * Wraps a tokenizer's `countTokens` so that it never throws on user text and stays linear in the text's
 * length. `splitPattern` is the encoding's own pre-tokenizer (gpt-tokenizer's `O200K_TOKEN_SPLIT_REGEX`).
 * Text whose pre-tokens are all at most {@link MAX_RUN} long is counted in one call, exactly. A longer
 * pre-token (a pasted blob, a flood of newlines) is counted in MAX_RUN-character pieces — within a few
 * tokens of exact, where exactness means nothing — and the text between such pre-tokens in one call each.
 */
export function createSafeTokenCounter(countTokens: CountTokens, splitPattern: RegExp): (text: string) => number {
  const split = new RegExp(splitPattern.source, splitPattern.flags.includes('g') ? splitPattern.flags : `${splitPattern.flags}g`);
  return (text: string): number => {
    if (text.length === 0) return 0;
    if (!mayHoldLongPreToken(text)) return countTokens(text, PLAIN_TEXT);
    let total = 0;
    let start = 0;
    for (const match of text.matchAll(split)) {
      const preToken = match[0];
      if (preToken.length <= MAX_RUN) continue;
      if (match.index > start) total += countTokens(text.slice(start, match.index), PLAIN_TEXT);
      for (const piece of pieces(preToken)) total += countTokens(piece, PLAIN_TEXT);
      start = match.index + preToken.length;
    }
    if (start < text.length) total += countTokens(start === 0 ? text : text.slice(start), PLAIN_TEXT);
    return total;
  };
}

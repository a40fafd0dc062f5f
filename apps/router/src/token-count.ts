/**
 * Tokenizer counts loaded on first use. The o200k tables of gpt-tokenizer take ≈ 76 MB; a router
 * whose classifier supplies prompt counts only needs them for explicit-model requests, rescued
 * streams and partial-usage billing, so routine traffic never loads them.
 */
let loading: Promise<(text: string) => number> | undefined;

/** Exact token count of `text` with the gpt-tokenizer default encoding (the simulator's and classifier's). */
export async function countTokensLazily(text: string): Promise<number> {
  if (text.length === 0) return 0;
  loading ??= import('gpt-tokenizer').then((m) => m.countTokens);
  return (await loading)(text);
}

/**
 * How many times a global pattern matches in a text. One helper for every feature module, so each
 * counts the same way (from the start, whatever `lastIndex` a previous call left on the shared regex).
 */
export function countMatches(text: string, pattern: RegExp): number {
  let n = 0;
  pattern.lastIndex = 0;
  while (pattern.exec(text) !== null) n++;
  return n;
}

// The memory row's negative control (SOPHIA_CHAOS_LEAK=1, never in CI): preloaded into every mesh
// process with `--import`, it keeps a copy of the first 10 KB of every large text JSON.parse is given
// (10 % of each prompt: 19.5 MiB over the row's 2,000 requests, 2.5× its floor, far from any heap
// limit) — as a service that kept part of each request body would — so the row can be seen to fail.
const kept: Buffer[] = [];
const parse = JSON.parse;
JSON.parse = function retainingParse(text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown): unknown {
  if (typeof text === 'string' && text.length >= 50_000) kept.push(Buffer.from(text.slice(0, 10 * 1024)));
  return parse(text, reviver);
};

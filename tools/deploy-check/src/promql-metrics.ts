// Metric names referenced by a PromQL expression, so alert rules and dashboards can be checked
// against the metrics the code actually registers (a renamed metric silently empties a panel).

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'offset', 'bool', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan', 'Inf', 'NaN']);

/** Every metric name in `expr` (label matchers, ranges, grouping labels and functions removed). */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![0-9A-Za-z_:.$])([A-Za-z_:][A-Za-z0-9_:]*)(?![A-Za-z0-9_:])(?!\s*\()/g)) {
    const name = match[1]!;
    if (!KEYWORDS.has(name)) names.add(name);
  }
  return [...names];
}

/** True when `name` is registered, or is a histogram/summary series (_bucket, _sum, _count) of one. */
export function isKnownMetric(name: string, known: ReadonlySet<string>): boolean {
  if (known.has(name)) return true;
  const base = /^(.*)_(?:bucket|sum|count)$/.exec(name)?.[1];
  return base !== undefined && known.has(base);
}

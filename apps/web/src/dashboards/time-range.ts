/** The periods the report dashboards offer. */
export const RANGES = [
  { id: '24h', label: 'Last 24 hours' },
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
  { id: 'mtd', label: 'Month to date' },
] as const;

/** One range's id. */
export type RangeId = (typeof RANGES)[number]['id'];

/** A concrete period, [startMs, endMs). */
export interface Period {
  readonly startMs: number;
  readonly endMs: number;
}

const DAY = 86_400_000;

/**
 * The period a range covers, ending at `nowMs`. Month to date starts at the first of the month in
 * UTC (the ledger's own month boundary for month-to-date and projections is its budget time zone).
 */
export function periodOf(range: RangeId, nowMs: number): Period {
  switch (range) {
    case '24h':
      return { startMs: nowMs - DAY, endMs: nowMs };
    case '7d':
      return { startMs: nowMs - 7 * DAY, endMs: nowMs };
    case '30d':
      return { startMs: nowMs - 30 * DAY, endMs: nowMs };
    case 'mtd': {
      const d = new Date(nowMs);
      return { startMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), endMs: nowMs };
    }
  }
}

/** The range named in the address (`?range=7d`), else the default. */
export function rangeFromSearch(search: string, fallback: RangeId = '24h'): RangeId {
  const asked = new URLSearchParams(search).get('range');
  return RANGES.find((r) => r.id === asked)?.id ?? fallback;
}

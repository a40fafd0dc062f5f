// Daily roll-ups for both stores (Redis hashes, SQLite rows): per UTC day, one hash of counters per group of
// (tenant, model, backend, tier, workload_tag, provider), incremented by the same Lua script that records the
// event. A query reads whole days from roll-ups (one HGETALL per day with data) and scans events only
// for the partial days at its edges, so a month costs ~30 hash reads instead of every event.
import { CATALOG_BACKENDS, CATALOG_TIERS, type CatalogBackend, type CatalogTier } from '@sophia/price-catalog';
import { createUsageAggregator, utcDay, type UsageAggregator, type UsageFacts } from './usage-aggregator.ts';
import type { UsageQuery, UsageRecord, UsageReport, UsageTotals } from './usage-store.ts';

/** Milliseconds in a UTC day. */
export const DAY_MS = 86_400_000;

/** Counter suffixes of a roll-up field: requests, prompt tokens, completion tokens, cost, cached prompt tokens (written only when non-zero). */
export const ROLLUP_COUNTERS = ['n', 'p', 'c', '$', 'k'] as const;

/** The group part of a record's roll-up fields (a counter suffix "|n" etc. is appended). */
export function rollupGroup(record: UsageRecord): string {
  const group = [record.tenant, record.model, record.backend, record.tier, record.workloadTag];
  // The provider is appended only when there is one, so groups written before it existed read the same.
  return JSON.stringify(record.provider ? [...group, record.provider] : group);
}

/** How a period [start, end) splits: edge ranges to scan event by event, whole days to read from roll-ups. */
export interface PeriodSplit {
  readonly scans: ReadonlyArray<readonly [number, number]>;
  /** Whole UTC days as day numbers (epoch ms / DAY_MS), [firstDay, endDay). */
  readonly days?: readonly [number, number];
}

/** Splits [startMs, endMs) at UTC midnight; no roll-up days when the period holds no whole day. */
export function splitPeriod(startMs: number, endMs: number): PeriodSplit {
  const firstDay = Math.ceil(startMs / DAY_MS);
  const endDay = Math.floor(endMs / DAY_MS);
  if (firstDay >= endDay) return { scans: endMs > startMs ? [[startMs, endMs]] : [] };
  const scans: Array<readonly [number, number]> = [];
  if (startMs < firstDay * DAY_MS) scans.push([startMs, firstDay * DAY_MS]);
  if (endDay * DAY_MS < endMs) scans.push([endDay * DAY_MS, endMs]);
  return { scans, days: [firstDay, endDay] };
}

/** One roll-up group decoded: its dimension values and sums. */
export interface RollupGroup {
  readonly facts: UsageFacts;
  readonly totals: UsageTotals;
}

/**
 * Decodes one day's roll-up hash (field "<group JSON>|<counter>" → integer string).
 * @throws Error naming the key and field when the hash is malformed
 */
export function decodeRollup(key: string, dayNumber: number, hash: Readonly<Record<string, string>>): RollupGroup[] {
  const groups = new Map<string, { n: bigint; p: bigint; c: bigint; $: bigint; k: bigint }>();
  for (const [field, value] of Object.entries(hash)) {
    const counter = field.slice(-1);
    const group = field.slice(0, -2);
    if (field.at(-2) !== '|' || !(ROLLUP_COUNTERS as readonly string[]).includes(counter) || !/^\d+$/.test(value)) {
      throw new Error(`corrupt usage roll-up at ${key}: field ${field}`);
    }
    let sums = groups.get(group);
    if (sums === undefined) {
      sums = { n: 0n, p: 0n, c: 0n, $: 0n, k: 0n };
      groups.set(group, sums);
    }
    sums[counter as (typeof ROLLUP_COUNTERS)[number]] = BigInt(value);
  }
  return [...groups].map(([group, sums]) => ({
    facts: rollupFacts(key, dayNumber, group),
    totals: { requests: sums.n, promptTokens: sums.p, completionTokens: sums.c, costMicroUsd: sums.$, cachedPromptTokens: sums.k },
  }));
}

/**
 * The dimension values of one roll-up group (its `rollupGroup` JSON) on a UTC day.
 * @throws Error naming `where` when the group is malformed
 */
export function rollupFacts(where: string, dayNumber: number, group: string): UsageFacts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(group);
  } catch {
    parsed = undefined;
  }
  const [tenant, model, backend, tier, workloadTag, provider = ''] = Array.isArray(parsed) ? (parsed as unknown[]) : [];
  if (
    typeof provider !== 'string' ||
    typeof tenant !== 'string' ||
    typeof model !== 'string' ||
    !CATALOG_BACKENDS.includes(backend as CatalogBackend) ||
    !CATALOG_TIERS.includes(tier as CatalogTier) ||
    typeof workloadTag !== 'string'
  ) {
    throw new Error(`corrupt usage roll-up at ${where}: group ${group}`);
  }
  return { tenant, model, backend: backend as string, tier: tier as string, day: utcDay(dayNumber * DAY_MS), workload_tag: workloadTag, provider };
}

/** How a store reads the two parts of a split period into an aggregator. */
export interface SplitReaders {
  /** Adds every event in [startMs, endMs) (optionally one tenant's). */
  scan(aggregator: UsageAggregator, startMs: number, endMs: number, tenant: string | undefined): Promise<void> | void;
  /** Adds the roll-ups of whole UTC days [firstDay, endDay). */
  rollups(aggregator: UsageAggregator, firstDay: number, endDay: number, tenant: string | undefined): Promise<void> | void;
}

/** Answers a usage query from roll-ups for whole days and event scans for the edges (both stores). */
export async function queryBySplit(query: UsageQuery, readers: SplitReaders): Promise<UsageReport> {
  const aggregator = createUsageAggregator(query.groupBy);
  const split = splitPeriod(query.startMs, query.endMs);
  for (const [start, end] of split.scans) await readers.scan(aggregator, start, end, query.tenant);
  if (split.days !== undefined) await readers.rollups(aggregator, split.days[0], split.days[1], query.tenant);
  return aggregator.report();
}

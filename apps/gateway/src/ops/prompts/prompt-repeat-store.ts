// Prompt fingerprints per tenant and workload, so costs.optimize can tell how much of a workload's
// spend went to prompts it had already sent (what a response cache would have saved). Only a hash
// of the prompt is kept, never its text. Bounded: one entry per tenant × workload × UTC day ×
// distinct prompt (requests, cost, cost of the day's first one), at most PROMPTS_PER_DAY distinct
// prompts per tenant-workload-day (later new prompts are counted, not tracked), days older than the
// retention dropped — so a repeated prompt costs no space and a load of all-distinct prompts stops
// growing the store at the cap.

/** One answered request: who sent it, for which workload, the prompt's fingerprint and what it cost. */
export interface PromptSeen {
  readonly tenant: string;
  readonly workload: string;
  /** Hex SHA-256 prefix of model + messages + sampling parameters. */
  readonly fingerprint: string;
  readonly costMicroUsd: bigint;
  readonly atMs: number;
}

/** Repeats of one workload in a window: requests whose fingerprint was already seen earlier in it. */
export interface WorkloadRepeats {
  readonly workload: string;
  readonly requests: number;
  readonly repeated: number;
  /** Cost of the repeated requests (the first of each prompt is not counted). */
  readonly repeatedCostMicroUsd: bigint;
}

/**
 * What costs.optimize asks: one tenant (or every tenant) and an optional workload, in [sinceMs, untilMs).
 * Counted by whole UTC days: every day the window touches is counted in full.
 */
export interface RepeatQuery {
  readonly tenant?: string;
  readonly workload?: string;
  readonly sinceMs: number;
  readonly untilMs: number;
}

/** Durable prompt fingerprints: SQLite in the embedded state file, Redis when shared. */
export interface PromptRepeatStore {
  /** Records answered requests (one transaction / pipeline per call). */
  record(seen: readonly PromptSeen[]): Promise<void>;
  /** Repeats per workload in the window, largest repeated cost first. */
  repeats(query: RepeatQuery): Promise<WorkloadRepeats[]>;
}

/** Options both stores take. */
export interface PromptRepeatStoreOptions {
  /** Distinct prompts tracked per tenant, workload and UTC day; beyond it new prompts are only counted. @default PROMPTS_PER_DAY */
  readonly promptsPerDay?: number;
}

/** The 31 days kept, in whole UTC days: the 30 days costs.optimize reads, plus the day in progress. */
export const PROMPT_RETENTION_DAYS = 31;

/**
 * Distinct prompts tracked per tenant, workload and day. The prompts worth caching are the ones that
 * repeat, and a repeating prompt is tracked from its first appearance; 20,000 entries (≈ 2 MB) per
 * tenant-workload-day bounds a load of all-distinct prompts. Beyond it, repeats are under-counted
 * (the saving is a lower bound), never over-counted.
 */
export const PROMPTS_PER_DAY = 20_000;

const DAY_MS = 86_400_000;

/** The UTC day number of a time (days since the epoch). */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** The whole UTC days a query's window touches, [first, last]. */
export function daysOf(q: RepeatQuery): { first: number; last: number } {
  return { first: dayOf(q.sinceMs), last: dayOf(Math.max(q.sinceMs, q.untilMs - 1)) };
}

/** One tracked prompt on one day: how often it was answered, their cost, and the first one's cost. */
export interface DayPrompt {
  readonly tenant: string;
  readonly workload: string;
  readonly day: number;
  readonly fingerprint: string;
  readonly requests: number;
  readonly costMicroUsd: bigint;
  readonly firstCostMicroUsd: bigint;
}

/** All requests of one tenant-workload-day, tracked or not. */
export interface DayTotal {
  readonly workload: string;
  readonly requests: number;
}

/**
 * Repeats per workload from day entries (for stores that fetch entries rather than aggregate in SQL):
 * a prompt's requests after its first in the window are repeats, costing all but the first one's cost.
 */
export function countRepeats(prompts: readonly DayPrompt[], totals: readonly DayTotal[]): WorkloadRepeats[] {
  const byPrompt = new Map<string, { workload: string; requests: number; cost: bigint; firstDay: number; firstCost: bigint }>();
  for (const p of prompts) {
    const key = `${p.tenant}\u0000${p.workload}\u0000${p.fingerprint}`;
    const e = byPrompt.get(key) ?? { workload: p.workload, requests: 0, cost: 0n, firstDay: Infinity, firstCost: 0n };
    e.requests += p.requests;
    e.cost += p.costMicroUsd;
    if (p.day < e.firstDay) {
      e.firstDay = p.day;
      e.firstCost = p.firstCostMicroUsd;
    }
    byPrompt.set(key, e);
  }
  const byWorkload = new Map<string, { requests: number; repeated: number; cost: bigint }>();
  const of = (workload: string) => byWorkload.get(workload) ?? byWorkload.set(workload, { requests: 0, repeated: 0, cost: 0n }).get(workload)!;
  for (const t of totals) of(t.workload).requests += t.requests;
  for (const e of byPrompt.values()) {
    const w = of(e.workload);
    w.repeated += e.requests - 1;
    w.cost += e.cost - e.firstCost;
  }
  return [...byWorkload].map(([workload, w]) => ({ workload, requests: w.requests, repeated: w.repeated, repeatedCostMicroUsd: w.cost })).sort(byCost);
}

/** Largest repeated cost first, then workload name. */
export function byCost(a: WorkloadRepeats, b: WorkloadRepeats): number {
  return a.repeatedCostMicroUsd === b.repeatedCostMicroUsd ? a.workload.localeCompare(b.workload) : a.repeatedCostMicroUsd > b.repeatedCostMicroUsd ? -1 : 1;
}

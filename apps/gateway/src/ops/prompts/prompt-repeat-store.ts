// Prompt fingerprints per tenant and workload, so costs.optimize can tell how much of a workload's
// spend went to prompts it had already sent (what a response cache would have saved). Only a hash
// of the prompt is kept, never its text; rows older than the retention are dropped on write.

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

/** What costs.optimize asks: one tenant (or every tenant) and an optional workload, in [sinceMs, untilMs). */
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

/** How long fingerprints are kept: the 30 days costs.optimize reads, plus a day. */
export const PROMPT_RETENTION_MS = 31 * 86_400_000;

/** Counts repeats in rows of one window (shared by the stores that fetch rows rather than aggregate in SQL). */
export function countRepeats(rows: ReadonlyArray<Pick<PromptSeen, 'workload' | 'fingerprint' | 'costMicroUsd' | 'atMs'>>): WorkloadRepeats[] {
  const byWorkload = new Map<string, { requests: number; repeated: number; cost: bigint; seen: Set<string> }>();
  for (const r of [...rows].sort((a, b) => a.atMs - b.atMs)) {
    const w = byWorkload.get(r.workload) ?? { requests: 0, repeated: 0, cost: 0n, seen: new Set<string>() };
    w.requests++;
    if (w.seen.has(r.fingerprint)) {
      w.repeated++;
      w.cost += r.costMicroUsd;
    } else w.seen.add(r.fingerprint);
    byWorkload.set(r.workload, w);
  }
  return [...byWorkload].map(([workload, w]) => ({ workload, requests: w.requests, repeated: w.repeated, repeatedCostMicroUsd: w.cost })).sort(byCost);
}

/** Largest repeated cost first, then workload name. */
export function byCost(a: WorkloadRepeats, b: WorkloadRepeats): number {
  return a.repeatedCostMicroUsd === b.repeatedCostMicroUsd ? a.workload.localeCompare(b.workload) : a.repeatedCostMicroUsd > b.repeatedCostMicroUsd ? -1 : 1;
}

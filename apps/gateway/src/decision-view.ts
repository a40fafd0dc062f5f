import { BackendSchema, TaskTypeSchema, TierSchema, type Money, type RoutingDecision } from '@sophia/contracts/common';
import type { DescEnum } from '@bufbuild/protobuf';

/** The routing decision as JSON, under `sophia` in REST answers (OpenAI clients ignore it). */
export interface SophiaDecisionView {
  readonly tier: string;
  readonly task_type: string;
  readonly model: string;
  readonly backend: string;
  /** Serverless provider that answered (catalog name); null for GPU answers and before it is known. */
  readonly provider: string | null;
  readonly target: string;
  readonly fallback: boolean;
  readonly attempts: number;
  readonly reasons: readonly string[];
  /**
   * The most the request can cost, priced before the call (prompt + every allowed completion token at
   * the dearest offer): what its budget reservation holds. Decimal US dollars as a string (exact).
   */
  readonly worst_case_cost_usd: string | null;
  /** Deprecated alias of `worst_case_cost_usd` (same value), kept for clients that read the old name. */
  readonly estimated_cost_usd: string | null;
  /** The bill: actual cost from the upstream's token usage; null until the answer completes (first stream chunk). */
  readonly cost_usd: string | null;
  /**
   * True when the gateway's response cache answered: `cost_usd` is 0 and model, backend, provider and
   * fallback describe the stored answer (the upstream call that produced it), not a call made now.
   */
  readonly cache_hit: boolean;
  /** On a cache hit, what the stored answer cost when produced (what the hit saved); else null. */
  readonly cache_saved_usd: string | null;
}

function enumName(schema: DescEnum, value: number): string {
  const v = schema.value[value];
  return v ? v.localName.toLowerCase() : 'unspecified';
}

/** Integer micro-dollars → exact decimal dollars ("0.001234"); six decimals, never a float. */
export function microUsdToDecimal(micro: bigint): string {
  const negative = micro < 0n;
  const abs = negative ? -micro : micro;
  const whole = abs / 1_000_000n;
  const frac = (abs % 1_000_000n).toString().padStart(6, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

function money(m: Money | undefined): string | null {
  return m ? microUsdToDecimal(m.microUsd) : null;
}

/** The `sophia` field of REST answers. */
export function sophiaDecisionView(d: RoutingDecision): SophiaDecisionView {
  // A router from before worst_case_cost filled only the deprecated field.
  const worstCase = money(d.worstCaseCost ?? d.estimatedCost);
  return {
    tier: enumName(TierSchema, d.tier),
    task_type: enumName(TaskTypeSchema, d.taskType),
    model: d.model,
    backend: enumName(BackendSchema, d.backend),
    provider: d.provider || null,
    target: d.target,
    fallback: d.fallback,
    attempts: d.attempts,
    reasons: [...d.reasons],
    worst_case_cost_usd: worstCase,
    estimated_cost_usd: worstCase,
    cost_usd: money(d.cost),
    cache_hit: d.cacheHit,
    cache_saved_usd: d.cacheHit ? money(d.cacheSaved) : null,
  };
}

/**
 * The decision as response headers, so a caller can see where a request went without parsing
 * the body. Streams send these before the cost is known; the cost header is then omitted.
 */
export function decisionHeaders(d: RoutingDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'x-sophia-tier': enumName(TierSchema, d.tier),
    'x-sophia-model': d.model,
    'x-sophia-backend': enumName(BackendSchema, d.backend),
    'x-sophia-fallback': String(d.fallback),
  };
  if (d.provider) headers['x-sophia-provider'] = d.provider;
  if (d.cost) headers['x-sophia-cost-usd'] = microUsdToDecimal(d.cost.microUsd);
  return headers;
}

import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Dimension } from '@sophia/contracts/ledger';
import { usd } from './command-result.ts';
import type { OperatorContext } from './operator-context.ts';
import { ledgerOf } from './read-commands.ts';

/** What a slice of traffic cost per request on each backend, measured by the ledger. */
export interface BackendUnitCosts {
  /** Look-back window the figures come from. */
  readonly days: number;
  readonly requests: { readonly serverless: number; readonly gpu: number; readonly total: number };
  /** USD per request; undefined when the backend served none of the slice. */
  readonly perRequest: { readonly serverless?: number | undefined; readonly gpu?: number | undefined; readonly all?: number | undefined };
  /** Requests per 30 days at the measured rate. */
  readonly monthlyRequests: number;
}

/** A slice of traffic: a tenant, a workload tag, a tier, or everything. */
export interface TrafficSlice {
  readonly tenant?: string | undefined;
  readonly workload?: string | undefined;
  readonly tier?: string | undefined;
}

const LOOK_BACK_DAYS = 7;

/**
 * Cost per request on each backend for one slice over the last 7 days, from the ledger's usage
 * report grouped by backend (and workload / tier when the slice names one). The basis of every
 * plan's "expected effect on cost".
 */
export async function backendUnitCosts(ctx: OperatorContext, slice: TrafficSlice): Promise<BackendUnitCosts> {
  const endMs = ctx.now();
  const filter = slice.workload !== undefined ? { dim: Dimension.WORKLOAD_TAG, value: slice.workload } : slice.tier !== undefined ? { dim: Dimension.TIER, value: slice.tier } : undefined;
  const res = await ledgerOf(ctx).getUsageReport(
    { start: timestampFromMs(endMs - LOOK_BACK_DAYS * 86_400_000), end: timestampFromMs(endMs), groupBy: filter ? [filter.dim, Dimension.BACKEND] : [Dimension.BACKEND], tenant: slice.tenant ?? '' },
    { timeoutMs: ctx.callTimeoutMs },
  );
  const rows = filter ? res.rows.filter((r) => r.keys[0] === filter.value).map((r) => ({ ...r, keys: r.keys.slice(1) })) : res.rows;
  const of = (backend: string) => rows.filter((r) => r.keys[0] === backend).reduce((a, r) => ({ requests: a.requests + Number(r.requests), cost: a.cost + usd(r.cost) }), { requests: 0, cost: 0 });
  const serverless = of('serverless');
  const gpu = of('gpu');
  const total = serverless.requests + gpu.requests;
  const per = (x: { requests: number; cost: number }) => (x.requests > 0 ? x.cost / x.requests : undefined);
  return {
    days: LOOK_BACK_DAYS,
    requests: { serverless: serverless.requests, gpu: gpu.requests, total },
    perRequest: { serverless: per(serverless), gpu: per(gpu), all: per({ requests: total, cost: serverless.cost + gpu.cost }) },
    monthlyRequests: (total * 30) / LOOK_BACK_DAYS,
  };
}

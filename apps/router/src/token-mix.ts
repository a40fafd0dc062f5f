import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { Client } from '@connectrpc/connect';
import { Dimension, type LedgerService } from '@sophia/contracts/ledger';
import type { Logger } from 'pino';

/**
 * The completion tokens a tenant's requests of one workload really produce, and the share of their
 * prompts providers served from their prompt caches, as the ledger recorded them: what a serverless
 * provider ranking needs to price a request by its own token mix (a provider cheap on input but dear
 * on output wins short answers to long prompts, not long answers; a cheap cached-input rate wins
 * workloads that resend the same long prefix).
 */
export interface TokenMix {
  /** Mean completion tokens of `tenant`'s recent requests of `workload` (its whole traffic when the workload has too few); undefined while unknown. */
  expectedCompletionTokens(tenant: string, workload: string): number | undefined;
  /** Cached prompt tokens ÷ prompt tokens of the same requests, in [0, 1]; undefined while unknown. */
  expectedCachedPromptShare(tenant: string, workload: string): number | undefined;
}

/** One group's figures. */
interface Mix {
  readonly completion: number;
  readonly cachedShare: number;
}

/** The ledger-backed {@link TokenMix}, with the refresh the router starts at boot. */
export interface LedgerTokenMix extends TokenMix {
  /** Loads the figures now (one QueryUsage); later lookups refresh them in the background. Never rejects. */
  refresh(): Promise<void>;
}

/** Options of {@link createLedgerTokenMix}. */
export interface LedgerTokenMixOptions {
  readonly ledger: Client<typeof LedgerService>;
  readonly logger: Logger;
  /** How old the figures may get before one background refresh (one QueryUsage for every tenant). @default 60000 */
  readonly refreshMs?: number;
  /** The usage looked at: the last `windowMs` (a week covers a workload's weekly cycle). @default 7 days */
  readonly windowMs?: number;
  /** Requests a group needs before its mean is trusted. @default 20 */
  readonly minRequests?: number;
  /** Budget of one refresh. @default 2000 */
  readonly timeoutMs?: number;
  readonly clock?: () => number;
}

const key = (tenant: string, workload: string): string => `${tenant}\u0000${workload}`;

/**
 * Token mix from the ledger's `QueryUsage` grouped by tenant and workload tag. Never on a request's
 * path: a lookup answers from the last refresh (undefined before the first) and starts a background
 * refresh when that is older than `refreshMs`. A failed refresh keeps the previous figures and is
 * logged once per outage.
 */
export function createLedgerTokenMix(options: LedgerTokenMixOptions): LedgerTokenMix {
  const clock = options.clock ?? Date.now;
  const refreshMs = options.refreshMs ?? 60_000;
  const windowMs = options.windowMs ?? 7 * 24 * 3_600_000;
  const minRequests = options.minRequests ?? 20;
  let means = new Map<string, Mix>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<void> | undefined;
  let failing = false;

  const load = async (): Promise<void> => {
    const startedAt = clock();
    try {
      const res = await options.ledger.queryUsage(
        { start: timestampFromMs(startedAt - windowMs), groupBy: [Dimension.TENANT, Dimension.WORKLOAD_TAG] },
        { timeoutMs: options.timeoutMs ?? 2000 },
      );
      const next = new Map<string, Mix>();
      const tenants = new Map<string, { requests: number; completion: number; prompt: number; cached: number }>();
      const mix = (t: { requests: number; completion: number; prompt: number; cached: number }): Mix => ({
        completion: t.completion / t.requests,
        cachedShare: t.prompt > 0 ? Math.min(1, t.cached / t.prompt) : 0,
      });
      for (const row of res.rows) {
        const [tenant = '', workload = ''] = row.keys;
        const group = { requests: Number(row.requests), completion: Number(row.completionTokens), prompt: Number(row.promptTokens), cached: Number(row.cachedPromptTokens) };
        if (group.requests >= minRequests) next.set(key(tenant, workload), mix(group));
        const t = tenants.get(tenant) ?? { requests: 0, completion: 0, prompt: 0, cached: 0 };
        tenants.set(tenant, { requests: t.requests + group.requests, completion: t.completion + group.completion, prompt: t.prompt + group.prompt, cached: t.cached + group.cached });
      }
      for (const [tenant, t] of tenants) if (t.requests >= minRequests) next.set(key(tenant, '\u0000all'), mix(t));
      means = next;
      if (failing) options.logger.info('ledger usage for the token mix recovered');
      failing = false;
    } catch (err) {
      if (!failing) options.logger.warn({ err: (err as Error).message }, 'ledger usage unavailable: serverless providers ranked on the last known token mix');
      failing = true;
    } finally {
      loadedAt = startedAt;
      refreshing = undefined;
    }
  };

  const refresh = (): Promise<void> => (refreshing ??= load());
  const lookup = (tenant: string, workload: string): Mix | undefined => {
    if (clock() - loadedAt > refreshMs) void refresh();
    return means.get(key(tenant, workload)) ?? means.get(key(tenant, '\u0000all'));
  };

  return {
    refresh,
    expectedCompletionTokens(tenant, workload) {
      const m = lookup(tenant, workload);
      return m === undefined ? undefined : Math.max(1, Math.round(m.completion));
    },
    expectedCachedPromptShare: (tenant, workload) => lookup(tenant, workload)?.cachedShare,
  };
}

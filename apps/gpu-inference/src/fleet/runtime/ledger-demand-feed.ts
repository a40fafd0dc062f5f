// The serverless half of the fleet's demand, read from the ledger. gpu-inference sees only the
// requests that reach the GPU backend, but break-even ("would an instance be cheaper than paying per
// token for this tier's sustained load?") and the weekly prewarm need the whole tier's traffic, most
// of which is answered serverless. The ledger records every answered request with its tier, backend
// and tokens, so each poll reads the serverless usage committed since the last one, minute by minute,
// and adds it to the controller's demand window in the minute it happened. After a restart the first
// poll reads back `backfillMinutes`, so the windows the policy compares are whole again.
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { Client } from '@connectrpc/connect';
import { Dimension, type LedgerService } from '@sophia/contracts/ledger';
import { CATALOG_TIERS, type CatalogTier } from '@sophia/price-catalog';
import type { MinuteDemand } from '../demand-window.ts';

/** The one ledger call the feed makes (a LedgerService client, in process or over gRPC). */
export type LedgerUsageReader = Pick<Client<typeof LedgerService>, 'queryUsage'>;

/** Options for createLedgerDemandFeed. */
export interface LedgerDemandFeedOptions {
  readonly ledger: LedgerUsageReader;
  /** Adds demand to a tier in the minute containing `atMs`. */
  readonly observe: (tier: CatalogTier, demand: MinuteDemand, atMs: number) => void;
  readonly now: () => number;
  /** Minutes read back on the first poll (the longest window the policy compares). */
  readonly backfillMinutes: number;
  /** Usage younger than this is left for the next poll (events are stamped when committed). @default 5000 */
  readonly lagMs?: number;
  readonly onError?: (err: Error) => void;
}

/** A feed polled by the fleet's tick. */
export interface LedgerDemandFeed {
  /** Reads and observes the usage since the last successful poll; errors are reported, and the next poll retries the same span. */
  poll(): Promise<void>;
}

const MINUTE_MS = 60_000;
const TIERS: ReadonlySet<string> = new Set(CATALOG_TIERS);

/** Creates the feed; nothing is read until the first `poll`. */
export function createLedgerDemandFeed(options: LedgerDemandFeedOptions): LedgerDemandFeed {
  const lagMs = options.lagMs ?? 5000;
  let cursor: number | undefined;
  return {
    async poll() {
      const end = options.now() - lagMs;
      // Never read back further than the backfill span: older demand no longer moves a decision.
      let start = Math.max(cursor ?? Number.NEGATIVE_INFINITY, end - options.backfillMinutes * MINUTE_MS);
      try {
        while (start < end) {
          // One query per wall-clock minute, so demand lands in the minute it happened.
          const stop = Math.min(end, (Math.floor(start / MINUTE_MS) + 1) * MINUTE_MS);
          const usage = await options.ledger.queryUsage({ start: timestampFromMs(start), end: timestampFromMs(stop), groupBy: [Dimension.TIER, Dimension.BACKEND] });
          for (const row of usage.rows) {
            const [tier, backend] = row.keys;
            if (backend !== 'serverless' || tier === undefined || !TIERS.has(tier)) continue;
            options.observe(tier as CatalogTier, { requests: Number(row.requests), promptTokens: Number(row.promptTokens), completionTokens: Number(row.completionTokens) }, start);
          }
          start = stop;
          cursor = stop;
        }
      } catch (err) {
        options.onError?.(err as Error);
      }
    },
  };
}

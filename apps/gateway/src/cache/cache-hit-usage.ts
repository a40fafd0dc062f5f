import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { UsageEventSchema } from '@sophia/contracts/ledger';
import type { CacheHit } from './cached-router.ts';

/**
 * The ledger's record of a cache hit: this request's id and tenant with the stored answer's model,
 * backend, provider and usage, flagged `cache_hit` so the ledger bills it 0 and reports what it
 * would have cost as savings from the cache. Without it a hit is invisible to usage and savings.
 */
export function cacheHitUsageEvent(hit: CacheHit, nowMs: number): MessageInitShape<typeof UsageEventSchema> {
  const decision = hit.original.decision;
  return {
    requestId: hit.input.requestId,
    tenant: hit.input.tenant,
    model: decision?.model ?? '',
    ...(decision ? { backend: decision.backend, tier: decision.tier, target: decision.target, provider: decision.provider } : {}),
    ...(hit.original.usage ? { usage: hit.original.usage } : {}),
    time: timestampFromMs(nowMs),
    workloadTag: hit.input.workloadTag,
    completed: true,
    cacheHit: true,
  };
}

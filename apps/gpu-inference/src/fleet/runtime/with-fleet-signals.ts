// Connects the InferenceService handler to the fleet without the handler knowing about it: every
// Generate counts as demand for its model's tier (served or not, tokens once known), and every
// GetCapacity call carries a router replica's breaker and override view to the signal board.
import type { ServiceImpl } from '@connectrpc/connect';
import type { InferenceService } from '@sophia/contracts/inference';
import { tierFromProto, type CatalogTier } from '@sophia/price-catalog';
import type { RunningFleet } from './start-fleet.ts';

/** `handler` with the fleet's observation hooks around Generate and GetCapacity. */
export function withFleetSignals(handler: ServiceImpl<typeof InferenceService>, fleet: RunningFleet): ServiceImpl<typeof InferenceService> {
  const tiers = (values: readonly number[]): CatalogTier[] => values.map((t) => tierFromProto(t)).filter((t): t is CatalogTier => t !== undefined);
  return {
    ...handler,
    async *generate(request, context) {
      fleet.observe(request.model, { requests: 1, promptTokens: 0, completionTokens: 0 });
      for await (const event of handler.generate(request, context)) {
        if (event.event?.case === 'done' && event.event.value.usage) {
          const u = event.event.value.usage;
          fleet.observe(request.model, { requests: 0, promptTokens: Number(u.promptTokens), completionTokens: Number(u.completionTokens) });
        }
        yield event;
      }
    },
    getCapacity(request, context) {
      if (request.serverlessBreakersOpen.length > 0 || request.gpuOverrides.length > 0) fleet.signals.report(tiers(request.serverlessBreakersOpen), tiers(request.gpuOverrides));
      return handler.getCapacity(request, context);
    },
  };
}

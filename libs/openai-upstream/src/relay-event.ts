import type { MessageInitShape } from '@bufbuild/protobuf';
import type { GenerateResponseSchema } from '@sophia/contracts/inference';
import type { UpstreamEvent } from './chat-completion-types.ts';

/** Trailer set on a Generate stream whose usage was counted locally (the contract has no field for it). */
export const USAGE_ESTIMATED_TRAILER = 'sophia-usage-estimated';

/**
 * One upstream event as an InferenceService.Generate response: a delta per text piece, a choice
 * delta, or the single `done` naming the endpoint that served. Shared by both backends so their
 * streams are identical in shape. A plain function the caller applies as it relays (per token: no
 * stream wrapper of its own).
 */
export function relayEvent(event: UpstreamEvent, endpoint: string, responseTrailer?: Headers): MessageInitShape<typeof GenerateResponseSchema> {
  if (event.type === 'delta') return { event: { case: 'delta', value: { text: event.text } } };
  if (event.type === 'choice') return { event: { case: 'choice', value: event.choice } };
  if (event.usageEstimated) responseTrailer?.set(USAGE_ESTIMATED_TRAILER, 'true');
  return { event: { case: 'done', value: { usage: event.usage, finishReason: event.finishReason, endpoint, upstreamModel: event.upstreamModel } } };
}

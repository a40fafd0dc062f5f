import type { MessageInitShape } from '@bufbuild/protobuf';
import type { GenerateResponseSchema } from '@sophia/contracts/inference';
import type { UpstreamEvent } from './chat-completion-types.ts';

/** Trailer set on a Generate stream whose usage was counted locally (the contract has no field for it). */
export const USAGE_ESTIMATED_TRAILER = 'sophia-usage-estimated';

/**
 * Turns upstream events into InferenceService.Generate responses: a delta per text piece, then
 * the single `done` naming the endpoint that served. Shared by both backends so their streams
 * are identical in shape; errors from the upstream propagate unchanged.
 */
export async function* relayGenerate(
  events: AsyncIterable<UpstreamEvent>,
  endpoint: string,
  responseTrailer?: Headers,
): AsyncGenerator<MessageInitShape<typeof GenerateResponseSchema>, void, undefined> {
  for await (const event of events) {
    if (event.type === 'delta') {
      yield { event: { case: 'delta', value: { text: event.text } } };
      continue;
    }
    if (event.type === 'choice') {
      yield { event: { case: 'choice', value: event.choice } };
      continue;
    }
    if (event.usageEstimated) responseTrailer?.set(USAGE_ESTIMATED_TRAILER, 'true');
    yield {
      event: {
        case: 'done',
        value: {
          usage: event.usage,
          finishReason: event.finishReason,
          endpoint,
          upstreamModel: event.upstreamModel,
        },
      },
    };
  }
}

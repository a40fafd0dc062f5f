import { ConnectError, createClient, createRouterTransport, type Client, type ServiceImpl } from '@connectrpc/connect';
import { InferenceService, type GenerateResponse } from '@sophia/contracts/inference';

/** An InferenceService client over `handler` in memory (no sockets): how the backends' handler specs call them. */
export function inferenceTestClient(handler: ServiceImpl<typeof InferenceService>): Client<typeof InferenceService> {
  return createClient(InferenceService, createRouterTransport(({ service }) => service(InferenceService, handler)));
}

/** What one Generate stream produced: the text of its deltas, its done event, or the error that ended it. */
export interface DrainedGenerate {
  text: string;
  done?: GenerateResponse['event']['value'];
  error?: ConnectError;
}

/** Reads a Generate stream to its end; an error ends it as `error` (a ConnectError) instead of throwing. */
export async function drainGenerate(stream: AsyncIterable<GenerateResponse>): Promise<DrainedGenerate> {
  const out: DrainedGenerate = { text: '' };
  try {
    for await (const res of stream) {
      if (res.event.case === 'delta') out.text += res.event.value.text;
      if (res.event.case === 'done') out.done = res.event.value;
    }
  } catch (err) {
    out.error = ConnectError.from(err);
  }
  return out;
}

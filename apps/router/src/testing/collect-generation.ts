import { ConnectError } from '@connectrpc/connect';
import type { GenerateResponse } from '@sophia/contracts/router';

/** A Generate stream drained for a spec: its events, and the error that ended it (if any). */
export async function collectGeneration(stream: AsyncIterable<GenerateResponse>): Promise<{ events: GenerateResponse['event'][]; error: ConnectError | undefined }> {
  const events: GenerateResponse['event'][] = [];
  try {
    for await (const m of stream) events.push(m.event);
  } catch (err) {
    return { events, error: ConnectError.from(err) };
  }
  return { events, error: undefined };
}

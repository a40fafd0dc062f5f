import type { Dispatcher } from 'undici';

/**
 * Reads a response body as UTF-8, keeping at most `limit` bytes (an error page can be large);
 * the rest is discarded by destroying the body.
 */
export async function readBodyText(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    chunks.push(buf);
    size += buf.length;
    if (size >= limit) {
      discardBody(body);
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/**
 * Destroys a response body we will not read to the end (its socket cannot be reused), without
 * the "Request aborted" error undici emits on an unconsumed body becoming an unhandled event.
 */
export function discardBody(body: Dispatcher.ResponseData['body']): void {
  if (body.destroyed) return;
  body.on('error', () => undefined);
  body.destroy();
}

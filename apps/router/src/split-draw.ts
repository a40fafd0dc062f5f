import { createHash } from 'node:crypto';

/**
 * The request's traffic-split draw in [0, 1): a hash of its request id, so the same request (and
 * its retries) always lands on the same side of a split, on every replica, with no shared state.
 */
export function splitDraw(requestId: string): number {
  const digest = createHash('sha256').update(requestId).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

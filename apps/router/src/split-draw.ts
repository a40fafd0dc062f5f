import { hash } from 'node:crypto';

/**
 * The request's traffic-split draw in [0, 1): a hash of its request id, so the same request (and
 * its retries) always lands on the same side of a split, on every replica, with no shared state.
 * One-shot `hash` (the same SHA-256 digest, no Hash object per request).
 */
export function splitDraw(requestId: string): number {
  return hash('sha256', requestId, 'buffer').readUIntBE(0, 6) / 2 ** 48;
}

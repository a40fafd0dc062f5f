import { createHash } from 'node:crypto';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ProviderPreferencesSchema } from '@sophia/contracts/common';
import type { RouteInputSchema } from '@sophia/contracts/router';

type RouteInputInit = MessageInitShape<typeof RouteInputSchema>;

/**
 * True for requests whose answer may be reused: temperature 0 (greedy decoding) or an explicit
 * seed — the caller asked for the same answer to the same request. Sampling at temperature > 0
 * without a seed asks for a fresh answer each time and is never cached.
 */
export function isDeterministic(input: RouteInputInit): boolean {
  const p = input.params;
  return p?.temperature === 0 || (p?.seed !== undefined && p.seed !== null);
}

/**
 * The cache key: tenant (answers never cross tenants), provider preference, and the canonical
 * request — the call's prompt fingerprint (`promptFingerprint`: model, workload, quality target,
 * every message and every generation parameter in their protobuf encoding, so JSON key order and
 * whitespace do not matter, while any parameter that changes the answer does).
 */
export function responseCacheKey(input: RouteInputInit, promptFingerprint: string): string {
  const h = createHash('sha256');
  const provider = input.provider ? Buffer.from(toBinary(ProviderPreferencesSchema, create(ProviderPreferencesSchema, input.provider))).toString('base64') : '';
  for (const part of [input.tenant ?? '', provider, promptFingerprint]) h.update(`${part.length}:`).update(part);
  return h.digest('hex');
}

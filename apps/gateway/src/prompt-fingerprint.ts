import { createHash } from 'node:crypto';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ChatMessageSchema, GenerationParamsSchema } from '@sophia/contracts/common';
import type { RouteInputSchema } from '@sophia/contracts/router';

/**
 * The fingerprint of a request's prompt: SHA-256 over its model, messages, sampling parameters,
 * workload and quality target (not its request id or tenant), so the same question asked again has
 * the same fingerprint; the text itself is never stored. One value serves the response cache's key,
 * runaway protection's repeat count and the prompt recorder: `withGeneratePolicy` computes it once
 * per `Generate` call and carries it to every policy (`GenerateCall.promptFingerprint`).
 */
export function promptFingerprint(input: MessageInitShape<typeof RouteInputSchema>): string {
  const h = createHash('sha256');
  const part = (bytes: Uint8Array | string): void => void h.update(`${bytes.length}:`).update(bytes);
  part(input.model ?? '');
  part(input.workloadTag ?? '');
  part(input.qualityTarget ?? '');
  for (const m of input.messages ?? []) part(toBinary(ChatMessageSchema, create(ChatMessageSchema, m)));
  part(toBinary(GenerationParamsSchema, create(GenerationParamsSchema, input.params ?? {})));
  return h.digest('hex').slice(0, 32);
}

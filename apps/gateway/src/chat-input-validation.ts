import { Code, ConnectError } from '@connectrpc/connect';
import { RoleSchema } from '@sophia/contracts/common';
import type { ChatInput } from '@sophia/contracts/gateway';
import { WORKLOAD_TAG } from './openai-request-schema.ts';

function invalid(field: string, message: string): ConnectError {
  return new ConnectError(`${field}: ${message}`, Code.InvalidArgument);
}

/**
 * Checks a gRPC/Connect `ChatInput` with the same rules as the REST schema and throws
 * INVALID_ARGUMENT naming the first bad field (`input.messages[0].role`), so both front doors
 * refuse the same requests with the same words.
 */
export function validateChatInput(input: ChatInput | undefined): ChatInput {
  if (!input) throw invalid('input', 'is required');
  if (input.model.length > 256) throw invalid('input.model', 'must be at most 256 characters');
  if (input.messages.length === 0) throw invalid('input.messages', 'must contain at least one message');
  input.messages.forEach((m, i) => {
    if (m.role === 0 || RoleSchema.value[m.role] === undefined) {
      const allowed = RoleSchema.values.filter((v) => v.number !== 0).map((v) => v.name).join(', ');
      throw invalid(`input.messages[${i}].role`, `must be one of ${allowed}`);
    }
  });
  const p = input.params;
  if (p) {
    if (p.maxTokens !== undefined && p.maxTokens < 1) throw invalid('input.params.max_tokens', 'must be at least 1');
    if (p.temperature !== undefined && !(p.temperature >= 0 && p.temperature <= 2)) throw invalid('input.params.temperature', 'must be between 0 and 2');
    if (p.topP !== undefined && !(p.topP >= 0 && p.topP <= 1)) throw invalid('input.params.top_p', 'must be between 0 and 1');
    if (p.stop.length > 4) throw invalid('input.params.stop', 'must hold at most 4 sequences');
    if (p.stop.some((s) => s.length === 0)) throw invalid('input.params.stop', 'must not contain empty strings');
  }
  if (input.workloadTag !== '' && !WORKLOAD_TAG.test(input.workloadTag)) throw invalid('input.workload_tag', `must match ${WORKLOAD_TAG.source}`);
  return input;
}

import { Code, ConnectError } from '@connectrpc/connect';
import { RoleSchema } from '@sophia/contracts/common';
import type { ChatInput } from '@sophia/contracts/gateway';
import { generationParamsProblem } from '@sophia/platform/request-rules';
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
  const problem = generationParamsProblem(input.params);
  if (problem) throw invalid(`input.params.${problem.param}`, problem.message);
  if (input.workloadTag !== '' && !WORKLOAD_TAG.test(input.workloadTag)) throw invalid('input.workload_tag', `must match ${WORKLOAD_TAG.source}`);
  return input;
}

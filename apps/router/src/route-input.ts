import { Code, ConnectError } from '@connectrpc/connect';
import { Role, type ChatMessage } from '@sophia/contracts/common';
import type { RouteInput } from '@sophia/contracts/router';
import { generationParamsProblem } from '@sophia/platform/request-rules';

/**
 * Rejects a RouteInput the router cannot act on, with INVALID_ARGUMENT naming the field. The
 * gateway validates public input more thoroughly; this guards every other caller (ghz, SQL), with
 * the same parameter rules (@sophia/platform/request-rules).
 */
export function validateRouteInput(input: RouteInput | undefined): RouteInput {
  if (!input) throw new ConnectError('input: required', Code.InvalidArgument);
  if (input.tenant.trim() === '') throw new ConnectError('input.tenant: required', Code.InvalidArgument);
  if (input.messages.length === 0) throw new ConnectError('input.messages: must not be empty', Code.InvalidArgument);
  input.messages.forEach((m: ChatMessage, i: number) => {
    if (m.role === Role.UNSPECIFIED || Role[m.role] === undefined) {
      throw new ConnectError(`input.messages[${i}].role: must be set`, Code.InvalidArgument);
    }
  });
  const problem = generationParamsProblem(input.params);
  if (problem) throw new ConnectError(`input.params.${problem.param}: ${problem.message}`, Code.InvalidArgument);
  return input;
}

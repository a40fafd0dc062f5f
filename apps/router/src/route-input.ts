import { Code, ConnectError } from '@connectrpc/connect';
import { Role, type ChatMessage } from '@sophia/contracts/common';
import type { RouteInput } from '@sophia/contracts/router';

/**
 * Rejects a RouteInput the router cannot act on, with INVALID_ARGUMENT naming the field. The
 * gateway validates public input more thoroughly; this guards every other caller (ghz, SQL).
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
  const p = input.params;
  if (p?.maxTokens !== undefined && p.maxTokens < 1) {
    throw new ConnectError('input.params.max_tokens: must be at least 1', Code.InvalidArgument);
  }
  if (p?.temperature !== undefined && !(p.temperature >= 0 && p.temperature <= 2)) {
    throw new ConnectError('input.params.temperature: must be between 0 and 2', Code.InvalidArgument);
  }
  return input;
}

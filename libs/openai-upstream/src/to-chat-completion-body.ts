import { Code, ConnectError } from '@connectrpc/connect';
import { Role } from '@sophia/contracts/common';
import type { GenerateRequest } from '@sophia/contracts/inference';
import { generationParamsProblem } from '@sophia/platform/request-rules';
import type { ChatCompletionBody, ChatCompletionMessage } from './chat-completion-types.ts';

const ROLES: Partial<Record<Role, ChatCompletionMessage['role']>> = {
  [Role.SYSTEM]: 'system',
  [Role.USER]: 'user',
  [Role.ASSISTANT]: 'assistant',
  [Role.TOOL]: 'tool',
  [Role.DEVELOPER]: 'developer',
};

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

/**
 * Validates a GenerateRequest and turns it into the OpenAI request body both backends send,
 * with `upstreamModel` (the provider's or vLLM's name for the catalog model). Bad input fails
 * with InvalidArgument naming the field, before any upstream is called; parameters by the shared
 * request rules the gateway already applied (@sophia/platform/request-rules), for direct callers.
 */
export function toChatCompletionBody(request: GenerateRequest, upstreamModel: string): ChatCompletionBody {
  if (request.model.trim() === '') throw invalid('model: required');
  if (request.messages.length === 0) throw invalid('messages: at least one message is required');
  const messages = request.messages.map((message, i): ChatCompletionMessage => {
    const role = ROLES[message.role];
    if (role === undefined) throw invalid(`messages[${i}].role: unspecified or unknown (${message.role})`);
    return message.name ? { role, content: message.content, name: message.name } : { role, content: message.content };
  });
  const body: ChatCompletionBody = { model: upstreamModel, messages };
  const params = request.params;
  const problem = generationParamsProblem(params);
  if (problem) throw invalid(`params.${problem.param}: ${problem.message}`);
  if (params) {
    if (params.maxTokens !== undefined) body.max_tokens = params.maxTokens;
    if (params.temperature !== undefined) body.temperature = params.temperature;
    if (params.topP !== undefined) body.top_p = params.topP;
    if (params.stop.length > 0) body.stop = [...params.stop];
    if (params.seed !== undefined) body.seed = Number(params.seed);
  }
  if (request.tenant !== '') body.user = request.tenant;
  return body;
}

import { Code, ConnectError } from '@connectrpc/connect';
import { ResponseFormatType, Role, ToolChoiceMode, type ChatMessage, type GenerationParams } from '@sophia/contracts/common';
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

/** What `top_p: 0` is sent as: a nucleus holding only the most likely token, in a form every upstream accepts. */
export const MIN_TOP_P = 1e-6;

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

/** JSON text the gateway already checked; a bad one (a direct gRPC caller) is a 400 naming the field. */
function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`${field}: is not valid JSON`);
  }
}

function toMessage(message: ChatMessage, i: number): ChatCompletionMessage {
  const role = ROLES[message.role];
  if (role === undefined) throw invalid(`messages[${i}].role: unspecified or unknown (${message.role})`);
  const out: ChatCompletionMessage = { role, content: message.content };
  if (message.parts.length > 0) {
    out.content = message.parts.map((p, j) => {
      if (p.part.case === 'text') return { type: 'text', text: p.part.value };
      if (p.part.case === 'imageUrl') return { type: 'image_url', image_url: { url: p.part.value.url, ...(p.part.value.detail ? { detail: p.part.value.detail } : {}) } };
      throw invalid(`messages[${i}].content[${j}]: empty content part`);
    });
  }
  if (message.name) out.name = message.name;
  if (message.toolCalls.length > 0) {
    out.tool_calls = message.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    if (message.content === '' && message.parts.length === 0) out.content = null;
  }
  if (message.toolCallId) out.tool_call_id = message.toolCallId;
  return out;
}

/** The OpenAI fields of GenerationParams beyond sampling (tools, output shape, logprobs, n, …). */
function addOptions(body: ChatCompletionBody, params: GenerationParams): void {
  if (params.frequencyPenalty !== undefined) body.frequency_penalty = params.frequencyPenalty;
  if (params.presencePenalty !== undefined) body.presence_penalty = params.presencePenalty;
  if (Object.keys(params.logitBias).length > 0) body.logit_bias = { ...params.logitBias };
  if (params.logprobs) body.logprobs = true;
  if (params.topLogprobs !== undefined) body.top_logprobs = params.topLogprobs;
  if (params.n > 1) body.n = params.n;
  if (params.reasoningEffort) body.reasoning_effort = params.reasoningEffort;
  const rf = params.responseFormat;
  if (rf?.type === ResponseFormatType.JSON_OBJECT) body.response_format = { type: 'json_object' };
  if (rf?.type === ResponseFormatType.JSON_SCHEMA) {
    body.response_format = {
      type: 'json_schema',
      json_schema: {
        name: rf.schemaName,
        ...(rf.schemaJson ? { schema: parseJson(rf.schemaJson, 'response_format.json_schema.schema') } : {}),
        ...(rf.strict !== undefined ? { strict: rf.strict } : {}),
        ...(rf.description ? { description: rf.description } : {}),
      },
    };
  }
  if (params.tools.length > 0) {
    body.tools = params.tools.map((t, i) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        ...(t.parametersJson ? { parameters: parseJson(t.parametersJson, `tools[${i}].function.parameters`) } : {}),
        ...(t.strict !== undefined ? { strict: t.strict } : {}),
      },
    }));
  }
  const choice = params.toolChoice?.choice;
  if (choice?.case === 'functionName') body.tool_choice = { type: 'function', function: { name: choice.value } };
  if (choice?.case === 'mode' && choice.value !== ToolChoiceMode.UNSPECIFIED) {
    body.tool_choice = choice.value === ToolChoiceMode.NONE ? 'none' : choice.value === ToolChoiceMode.REQUIRED ? 'required' : 'auto';
  }
  if (params.parallelToolCalls !== undefined) body.parallel_tool_calls = params.parallelToolCalls;
}

/**
 * Validates a GenerateRequest and turns it into the OpenAI request body both backends send,
 * with `upstreamModel` (the provider's or vLLM's name for the catalog model). Every field of the
 * contract is sent (none dropped); bad input fails with InvalidArgument naming the field in OpenAI
 * terms, before any upstream is called — parameters by the shared request rules the gateway already
 * applied (@sophia/platform/request-rules), for direct callers.
 */
export function toChatCompletionBody(request: GenerateRequest, upstreamModel: string): ChatCompletionBody {
  if (request.model.trim() === '') throw invalid('model: required');
  if (request.messages.length === 0) throw invalid('messages: at least one message is required');
  const body: ChatCompletionBody = { model: upstreamModel, messages: request.messages.map(toMessage) };
  const params = request.params;
  const problem = generationParamsProblem(params);
  if (problem) throw invalid(`${problem.param}: ${problem.message}`);
  if (params) {
    if (params.maxTokens !== undefined) body.max_tokens = params.maxTokens;
    if (params.temperature !== undefined) body.temperature = params.temperature;
    // OpenAI allows top_p 0 (only the most likely token); vLLM and several providers refuse 0, so
    // the same nucleus is asked for with the smallest value they take.
    if (params.topP !== undefined) body.top_p = params.topP === 0 ? MIN_TOP_P : params.topP;
    if (params.stop.length > 0) body.stop = [...params.stop];
    if (params.seed !== undefined) body.seed = Number(params.seed);
    addOptions(body, params);
  }
  const user = params?.user || request.tenant;
  if (user !== '') body.user = user;
  return body;
}

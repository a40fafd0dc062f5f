import { Code, ConnectError } from '@connectrpc/connect';
import { ResponseFormatType, Role, RoleSchema } from '@sophia/contracts/common';
import type { ChatInput } from '@sophia/contracts/gateway';
import { generationParamsProblem } from '@sophia/platform/request-rules';
import { WORKLOAD_TAG } from './openai-request-schema.ts';
import { FUNCTION_NAME } from './openai-compat/chat-message-schema.ts';
import { MAX_CHOICES, REASONING_EFFORTS } from './openai-compat/chat-options-schema.ts';

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

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
    if (m.role === Role.TOOL && m.toolCallId === '') throw invalid(`input.messages[${i}].tool_call_id`, 'is required for tool messages');
    if (m.toolCalls.length > 0 && m.role !== Role.ASSISTANT) throw invalid(`input.messages[${i}].tool_calls`, 'is allowed only on assistant messages');
    m.parts.forEach((part, j) => {
      if (part.part.case === 'imageUrl' && !/^(https?:\/\/|data:image\/)/.test(part.part.value.url)) throw invalid(`input.messages[${i}].parts[${j}].image_url.url`, 'must be an http(s) URL or a data:image/… URL');
      if (part.part.case === undefined) throw invalid(`input.messages[${i}].parts[${j}]`, 'must be text or image_url');
    });
  });
  const problem = generationParamsProblem(input.params);
  if (problem) throw invalid(`input.params.${problem.param}`, problem.message);
  if (input.params) validateOptions(input.params);
  if (input.workloadTag !== '' && !WORKLOAD_TAG.test(input.workloadTag)) throw invalid('input.workload_tag', `must match ${WORKLOAD_TAG.source}`);
  return input;
}

/** The OpenAI options of GenerationParams, with the REST schema's rules. */
function validateOptions(p: NonNullable<ChatInput['params']>): void {
  for (const [name, v] of [['frequency_penalty', p.frequencyPenalty], ['presence_penalty', p.presencePenalty]] as const) {
    if (v !== undefined && !(v >= -2 && v <= 2)) throw invalid(`input.params.${name}`, 'must be between -2 and 2');
  }
  for (const [token, bias] of Object.entries(p.logitBias)) {
    if (!/^\d{1,9}$/.test(token) || !(bias >= -100 && bias <= 100)) throw invalid(`input.params.logit_bias`, 'must map token ids to biases between -100 and 100');
  }
  if (p.topLogprobs !== undefined && (p.topLogprobs > 20 || !p.logprobs)) throw invalid('input.params.top_logprobs', 'must be 0-20 and requires logprobs');
  if (p.n > MAX_CHOICES) throw invalid('input.params.n', `must be at most ${MAX_CHOICES}`);
  if (p.reasoningEffort !== '' && !(REASONING_EFFORTS as readonly string[]).includes(p.reasoningEffort)) throw invalid('input.params.reasoning_effort', `must be one of ${REASONING_EFFORTS.join(', ')}`);
  const names = new Set<string>();
  p.tools.forEach((t, i) => {
    if (!FUNCTION_NAME.test(t.name) || names.has(t.name)) throw invalid(`input.params.tools[${i}].name`, `must match ${FUNCTION_NAME.source} and be unique`);
    names.add(t.name);
    if (t.parametersJson !== '' && !isJsonObject(t.parametersJson)) throw invalid(`input.params.tools[${i}].parameters_json`, 'must be a JSON Schema object');
  });
  const choice = p.toolChoice?.choice;
  if (choice?.case === 'functionName' && !names.has(choice.value)) throw invalid('input.params.tool_choice.function_name', `"${choice.value}" is not among the tools`);
  const rf = p.responseFormat;
  if (rf?.type === ResponseFormatType.JSON_SCHEMA && (!FUNCTION_NAME.test(rf.schemaName) || (rf.schemaJson !== '' && !isJsonObject(rf.schemaJson)))) {
    throw invalid('input.params.response_format', 'json_schema needs a schema_name and a JSON Schema object');
  }
}

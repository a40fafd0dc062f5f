import { z } from 'zod';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { ResponseFormatType, ToolChoiceMode, type GenerationParamsSchema } from '@sophia/contracts/common';
import { FUNCTION_NAME } from './chat-message-schema.ts';

/** The OpenAI-only generation fields, in the proto `GenerationParams` init shape (merged with sampling there). */
export type ParsedChatOptions = Pick<
  MessageInitShape<typeof GenerationParamsSchema>,
  | 'frequencyPenalty'
  | 'presencePenalty'
  | 'logitBias'
  | 'logprobs'
  | 'topLogprobs'
  | 'n'
  | 'user'
  | 'reasoningEffort'
  | 'responseFormat'
  | 'tools'
  | 'toolChoice'
  | 'parallelToolCalls'
>;

/** OpenAI's `reasoning_effort` values. */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high'] as const;
/** Largest `n` served: every choice is billed and held in memory until the answer is complete. */
export const MAX_CHOICES = 16;

const json = (v: unknown): string => JSON.stringify(v);
const penalty = z.number({ error: 'must be a number' }).min(-2, { error: 'must be between -2 and 2' }).max(2, { error: 'must be between -2 and 2' }).nullish();

const tool = z.strictObject(
  {
    type: z.literal('function', { error: 'must be "function" (the only tool type served)' }),
    function: z.strictObject(
      {
        name: z.string({ error: 'must be a string' }).regex(FUNCTION_NAME, { error: `must match ${FUNCTION_NAME.source}` }),
        description: z.string({ error: 'must be a string' }).optional(),
        parameters: z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' }).optional(),
        strict: z.boolean({ error: 'must be a boolean' }).nullish(),
      },
      { error: 'must be an object {"name", "description"?, "parameters"?, "strict"?}' },
    ),
  },
  { error: 'must be an object {"type": "function", "function": {…}}' },
);

const toolChoice = z.union(
  [
    z.enum(['none', 'auto', 'required']),
    z.strictObject({ type: z.literal('function'), function: z.strictObject({ name: z.string().regex(FUNCTION_NAME) }) }),
  ],
  { error: 'must be "none", "auto", "required" or {"type": "function", "function": {"name": …}}' },
);

const responseFormat = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('text') }),
    z.strictObject({ type: z.literal('json_object') }),
    z.strictObject({
      type: z.literal('json_schema'),
      json_schema: z.strictObject(
        {
          name: z.string({ error: 'must be a string' }).regex(FUNCTION_NAME, { error: `must match ${FUNCTION_NAME.source}` }),
          description: z.string({ error: 'must be a string' }).optional(),
          schema: z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' }).optional(),
          strict: z.boolean({ error: 'must be a boolean' }).nullish(),
        },
        { error: 'must be an object {"name", "schema"?, "strict"?, "description"?}' },
      ),
    }),
  ],
  { error: 'must be {"type": "text"}, {"type": "json_object"} or {"type": "json_schema", "json_schema": {…}}' },
);

/** The fields of a chat-completions body beyond messages and sampling: tools, output shape, logprobs, n, … */
export const chatOptionsShape = {
  frequency_penalty: penalty,
  presence_penalty: penalty,
  logit_bias: z
    .record(
      z.string().regex(/^\d{1,9}$/, { error: 'keys must be token ids (decimal integers)' }),
      z.number({ error: 'must be a number' }).min(-100, { error: 'must be between -100 and 100' }).max(100, { error: 'must be between -100 and 100' }),
      { error: 'must be an object mapping token ids to biases' },
    )
    .refine((m) => Object.keys(m).length <= 300, { error: 'at most 300 entries' })
    .nullish(),
  logprobs: z.boolean({ error: 'must be a boolean' }).nullish(),
  top_logprobs: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).min(0, { error: 'must be between 0 and 20' }).max(20, { error: 'must be between 0 and 20' }).nullish(),
  n: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).min(1, { error: 'must be at least 1' }).max(MAX_CHOICES, { error: `must be at most ${MAX_CHOICES}` }).nullish(),
  user: z.string({ error: 'must be a string' }).max(256, { error: 'must be at most 256 characters' }).nullish(),
  reasoning_effort: z.enum(REASONING_EFFORTS, { error: `must be one of ${REASONING_EFFORTS.join(', ')}` }).nullish(),
  response_format: responseFormat.nullish(),
  tools: z.array(tool, { error: 'must be an array of tools' }).max(128, { error: 'at most 128 tools' }).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean({ error: 'must be a boolean' }).nullish(),
} as const;

type ChatOptionsInput = { [K in keyof typeof chatOptionsShape]?: z.infer<(typeof chatOptionsShape)[K]> };

/** A cross-field problem in OpenAI terms. */
export interface OptionsProblem {
  readonly message: string;
  readonly param: string;
}

/**
 * Checks what one field's schema cannot (a `tool_choice` naming a function that is not in `tools`,
 * `top_logprobs` without `logprobs`) and maps the fields onto the proto shape.
 */
export function chatOptions(b: ChatOptionsInput): { ok: true; options: ParsedChatOptions } | { ok: false; problem: OptionsProblem } {
  const tools = b.tools ?? [];
  const choice = b.tool_choice;
  if (choice !== undefined && choice !== null && tools.length === 0 && choice !== 'none') {
    return { ok: false, problem: { param: 'tool_choice', message: 'tool_choice: is only allowed when tools are given' } };
  }
  if (typeof choice === 'object' && choice !== null && !tools.some((t) => t.function.name === choice.function.name)) {
    return { ok: false, problem: { param: 'tool_choice.function.name', message: `tool_choice.function.name: "${choice.function.name}" is not among tools[].function.name` } };
  }
  const names = new Set<string>();
  for (const [i, t] of tools.entries()) {
    if (names.has(t.function.name)) return { ok: false, problem: { param: `tools[${i}].function.name`, message: `tools[${i}].function.name: "${t.function.name}" is given twice` } };
    names.add(t.function.name);
  }
  if (b.top_logprobs !== undefined && b.top_logprobs !== null && b.logprobs !== true) {
    return { ok: false, problem: { param: 'top_logprobs', message: 'top_logprobs: requires logprobs: true' } };
  }
  if (b.parallel_tool_calls !== undefined && b.parallel_tool_calls !== null && tools.length === 0) {
    return { ok: false, problem: { param: 'parallel_tool_calls', message: 'parallel_tool_calls: is only allowed when tools are given' } };
  }
  const rf = b.response_format;
  const options: ParsedChatOptions = {
    ...(b.frequency_penalty != null ? { frequencyPenalty: b.frequency_penalty } : {}),
    ...(b.presence_penalty != null ? { presencePenalty: b.presence_penalty } : {}),
    ...(b.logit_bias && Object.keys(b.logit_bias).length > 0 ? { logitBias: b.logit_bias } : {}),
    ...(b.logprobs ? { logprobs: true } : {}),
    ...(b.top_logprobs != null ? { topLogprobs: b.top_logprobs } : {}),
    ...(b.n != null && b.n > 1 ? { n: b.n } : {}),
    ...(b.user ? { user: b.user } : {}),
    ...(b.reasoning_effort ? { reasoningEffort: b.reasoning_effort } : {}),
    ...(rf && rf.type !== 'text'
      ? {
          responseFormat:
            rf.type === 'json_object'
              ? { type: ResponseFormatType.JSON_OBJECT }
              : {
                  type: ResponseFormatType.JSON_SCHEMA,
                  schemaName: rf.json_schema.name,
                  schemaJson: rf.json_schema.schema ? json(rf.json_schema.schema) : '',
                  description: rf.json_schema.description ?? '',
                  ...(rf.json_schema.strict != null ? { strict: rf.json_schema.strict } : {}),
                },
        }
      : {}),
    ...(tools.length > 0
      ? {
          tools: tools.map((t) => ({
            name: t.function.name,
            description: t.function.description ?? '',
            parametersJson: t.function.parameters ? json(t.function.parameters) : '',
            ...(t.function.strict != null ? { strict: t.function.strict } : {}),
          })),
        }
      : {}),
    ...(choice != null
      ? {
          toolChoice:
            typeof choice === 'string'
              ? { choice: { case: 'mode', value: { none: ToolChoiceMode.NONE, auto: ToolChoiceMode.AUTO, required: ToolChoiceMode.REQUIRED }[choice] } }
              : { choice: { case: 'functionName', value: choice.function.name } },
        }
      : {}),
    ...(b.parallel_tool_calls != null ? { parallelToolCalls: b.parallel_tool_calls } : {}),
  };
  return { ok: true, options };
}

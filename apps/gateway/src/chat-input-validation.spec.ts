import { create } from '@bufbuild/protobuf';
import { type ConnectError } from '@connectrpc/connect';
import { ResponseFormatType, Role } from '@sophia/contracts/common';
import { ChatInputSchema } from '@sophia/contracts/gateway';
import { validateChatInput } from './chat-input-validation.ts';

const base = { messages: [{ role: Role.USER, content: 'x' }] };

function message(init: Parameters<typeof create<typeof ChatInputSchema>>[1]): string {
  try {
    validateChatInput(create(ChatInputSchema, init));
  } catch (err) {
    return (err as ConnectError).rawMessage;
  }
  return 'accepted';
}

describe('validateChatInput (gRPC / Connect)', () => {
  it('accepts the OpenAI options the REST schema accepts', () => {
    expect(
      message({
        ...base,
        params: { n: 2, logprobs: true, topLogprobs: 3, tools: [{ name: 'f', parametersJson: '{"type":"object"}' }], toolChoice: { choice: { case: 'functionName', value: 'f' } }, responseFormat: { type: ResponseFormatType.JSON_SCHEMA, schemaName: 's', schemaJson: '{}' } },
      }),
    ).toBe('accepted');
  });

  it.each<[Parameters<typeof create<typeof ChatInputSchema>>[1], RegExp]>([
    [{ messages: [{ role: Role.TOOL, content: 'r' }] }, /^input\.messages\[0\]\.tool_call_id: is required/],
    [{ messages: [{ role: Role.USER, content: 'x', toolCalls: [{ id: 'c', name: 'f' }] }] }, /^input\.messages\[0\]\.tool_calls: /],
    [{ messages: [{ role: Role.USER, content: 'x', parts: [{ part: { case: 'imageUrl', value: { url: 'ftp://x' } } }] }] }, /^input\.messages\[0\]\.parts\[0\]\.image_url\.url: /],
    [{ ...base, params: { n: 17 } }, /^input\.params\.n: must be at most 16/],
    [{ ...base, params: { topLogprobs: 2 } }, /^input\.params\.top_logprobs: /],
    [{ ...base, params: { frequencyPenalty: 3 } }, /^input\.params\.frequency_penalty: /],
    [{ ...base, params: { reasoningEffort: 'max' } }, /^input\.params\.reasoning_effort: /],
    [{ ...base, params: { tools: [{ name: 'f', parametersJson: '[1]' }] } }, /^input\.params\.tools\[0\]\.parameters_json: /],
    [{ ...base, params: { tools: [{ name: 'f' }], toolChoice: { choice: { case: 'functionName', value: 'g' } } } }, /^input\.params\.tool_choice\.function_name: /],
    [{ ...base, params: { responseFormat: { type: ResponseFormatType.JSON_SCHEMA, schemaName: '' } } }, /^input\.params\.response_format: /],
  ])('refuses %j naming the field', (init, expected) => {
    expect(message(init)).toMatch(expected);
  });
});

import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { ResponseFormatType, Role, ToolChoiceMode } from '@sophia/contracts/common';
import { GenerateRequestSchema } from '@sophia/contracts/inference';
import { toChatCompletionBody } from './to-chat-completion-body.ts';

describe('toChatCompletionBody', () => {
  it('maps roles, params and tenant to the OpenAI body with the upstream model name', () => {
    const request = create(GenerateRequestSchema, {
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      tenant: 'acme',
      messages: [
        { role: Role.SYSTEM, content: 'be brief' },
        { role: Role.USER, content: 'hi', name: 'bob' },
      ],
      params: { maxTokens: 64, temperature: 0, topP: 0.9, stop: ['\n'], seed: 7n },
    });
    expect(toChatCompletionBody(request, 'llama-8b')).toEqual({
      model: 'llama-8b',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi', name: 'bob' },
      ],
      max_tokens: 64,
      temperature: 0,
      top_p: 0.9,
      stop: ['\n'],
      seed: 7,
      user: 'acme',
    });
  });

  it('sends every OpenAI field of the contract: tools, tool turns, images, output shape, logprobs, n, penalties', () => {
    const request = create(GenerateRequestSchema, {
      model: 'm',
      tenant: 'acme',
      messages: [
        { role: Role.USER, content: 'what is this?', parts: [{ part: { case: 'text', value: 'what is this?' } }, { part: { case: 'imageUrl', value: { url: 'https://x.test/a.png', detail: 'low' } } }] },
        { role: Role.ASSISTANT, content: '', toolCalls: [{ id: 'call_1', name: 'look', arguments: '{"q":1}' }] },
        { role: Role.TOOL, content: '{"ok":true}', toolCallId: 'call_1' },
      ],
      params: {
        topP: 0,
        frequencyPenalty: 0.5,
        presencePenalty: -0.5,
        logitBias: { '50256': -100 },
        logprobs: true,
        topLogprobs: 2,
        n: 3,
        user: 'end-user',
        reasoningEffort: 'low',
        responseFormat: { type: ResponseFormatType.JSON_SCHEMA, schemaName: 'out', schemaJson: '{"type":"object"}', strict: true },
        tools: [{ name: 'look', description: 'looks', parametersJson: '{"type":"object","properties":{"q":{"type":"number"}}}', strict: true }],
        toolChoice: { choice: { case: 'mode', value: ToolChoiceMode.REQUIRED } },
        parallelToolCalls: false,
      },
    });
    expect(toChatCompletionBody(request, 'up')).toEqual({
      model: 'up',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{"q":1}' } }] },
        { role: 'tool', content: '{"ok":true}', tool_call_id: 'call_1' },
      ],
      top_p: 1e-6, // top_p 0, in a form vLLM and providers accept
      frequency_penalty: 0.5,
      presence_penalty: -0.5,
      logit_bias: { '50256': -100 },
      logprobs: true,
      top_logprobs: 2,
      n: 3,
      reasoning_effort: 'low',
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      tools: [{ type: 'function', function: { name: 'look', description: 'looks', parameters: { type: 'object', properties: { q: { type: 'number' } } }, strict: true } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      user: 'end-user',
    });
  });

  it.each([
    [{ model: '', messages: [{ role: Role.USER, content: 'x' }] }, 'model: required'],
    [{ model: 'm', messages: [] }, 'messages: at least one'],
    [{ model: 'm', messages: [{ role: Role.USER, content: 'x' }, { content: 'y' }] }, 'messages[1].role'],
    [{ model: 'm', messages: [{ role: Role.USER, content: 'x' }], params: { maxTokens: 0 } }, 'max_tokens'],
    [{ model: 'm', messages: [{ role: Role.USER, content: 'x' }], params: { temperature: 3 } }, 'temperature'],
    [{ model: 'm', messages: [{ role: Role.USER, content: 'x' }], params: { topP: 1.5 } }, 'top_p'],
    [{ model: 'm', messages: [{ role: Role.USER, content: 'x' }], params: { tools: [{ name: 'f', parametersJson: '{' }] } }, 'tools[0].function.parameters'],
  ])('rejects bad input with InvalidArgument naming the field (%#)', (init, field) => {
    const request = create(GenerateRequestSchema, init);
    let caught: unknown;
    try {
      toChatCompletionBody(request, 'x');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConnectError);
    expect((caught as ConnectError).code).toBe(Code.InvalidArgument);
    expect((caught as ConnectError).rawMessage).toContain(field);
  });
});

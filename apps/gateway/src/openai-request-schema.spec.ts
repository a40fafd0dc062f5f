import { ProviderSort, ResponseFormatType, Role } from '@sophia/contracts/common';
import { paramPath, parseChatCompletionRequest } from './openai-request-schema.ts';

describe('parseChatCompletionRequest', () => {
  it('maps roles, params and "auto", preferring max_completion_tokens', () => {
    const r = parseChatCompletionRequest({
      model: 'auto',
      messages: [
        { role: 'developer', content: 'rules' },
        { role: 'user', content: 'q', name: 'ann' },
        { role: 'assistant', content: 'a' },
        { role: 'tool', content: '{}', tool_call_id: 'call_1' },
      ],
      max_tokens: 10,
      max_completion_tokens: 20,
      top_p: 0.9,
      seed: 7,
      stop: ['\n\n', 'END'],
      stream: true,
      stream_options: { include_usage: true },
      metadata: { workload: 'support-bot' },
      user: 'end-user-42',
      presence_penalty: 0,
    });
    expect(r).toEqual({
      ok: true,
      request: {
        model: '',
        messages: [
          { role: Role.DEVELOPER, content: 'rules', name: '' },
          { role: Role.USER, content: 'q', name: 'ann' },
          { role: Role.ASSISTANT, content: 'a', name: '' },
          { role: Role.TOOL, content: '{}', name: '', toolCallId: 'call_1' },
        ],
        params: { maxTokens: 20, topP: 0.9, seed: 7n, stop: ['\n\n', 'END'], user: 'end-user-42', presencePenalty: 0 },
        stream: true,
        includeUsage: true,
        workload: 'support-bot',
      },
    });
  });
  it('treats null optional fields as absent and keeps an explicit model', () => {
    const r = parseChatCompletionRequest({ model: 'llama-3.1-70b', messages: [{ role: 'user', content: 'x' }], temperature: null, max_tokens: null, stop: null });
    expect(r.ok && r.request).toMatchObject({ model: 'llama-3.1-70b', params: { stop: [] }, stream: false });
    expect(r.ok && 'temperature' in r.request.params).toBe(false);
  });
  it.each<[unknown, string | null, RegExp | null]>([
    [null, null, /got null/],
    ['text', null, /got string/],
    [{ messages: [{ content: 'x' }] }, 'messages[0].role', /unknown role missing/],
    [{ messages: [{ role: 'user' }] }, 'messages[0].content', /is required \(null is allowed only for assistant messages\)/],
    [{ messages: [{ role: 'tool', content: 'r' }] }, 'messages[0].tool_call_id', /required for tool messages/],
    [{ messages: [{ role: 'user', content: 'x', tool_calls: [] }] }, null, null],
    [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages[0].content[0].type', /"input_audio" is not supported/],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }] }, 'messages[0].content[0].image_url.url', /http\(s\) URL/],
    [{ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'has space' } }] }, 'tools[0].function.name', /must match/],
    [{ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'function', function: { name: 'g' } } }, 'tool_choice.function.name', /not among tools/],
    [{ messages: [{ role: 'user', content: 'x' }], tool_choice: 'required' }, 'tool_choice', /only allowed when tools/],
    [{ messages: [{ role: 'user', content: 'x' }], top_logprobs: 3 }, 'top_logprobs', /requires logprobs: true/],
    [{ messages: [{ role: 'user', content: 'x' }], n: 17 }, 'n', /at most 16/],
    [{ messages: [{ role: 'user', content: 'x' }], frequency_penalty: 2.5 }, 'frequency_penalty', /between -2 and 2/],
    [{ messages: [{ role: 'user', content: 'x' }], logit_bias: { abc: 1 } }, 'logit_bias.abc', /token ids/],
    [{ messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'max' }, 'reasoning_effort', /none, minimal, low, medium, high/],
    [{ messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema' } }, 'response_format.json_schema', /must be an object/],
    [{ messages: [{ role: 'user', content: 'x' }], functions: [{ name: 'f' }] }, 'functions', /deprecated/],
    [{ messages: [{ role: 'user', content: 'x' }], top_k: 5 }, 'top_k', /Unrecognized request argument supplied: top_k/],
    [{ messages: [{ role: 'user', content: [{ type: 'text', text: 5 }] }] }, 'messages[0].content[0].text', /must be a string/],
    [{ messages: ['hi'] }, 'messages[0]', /must be an object/],
    [{ messages: [{ role: 'user', content: 'x' }], seed: 1.5 }, 'seed', /integer/],
    [{ messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'stream', /boolean/],
    [{ messages: [{ role: 'user', content: 'x' }], metadata: { workload: 'a b' } }, 'metadata.workload', /must match/],
    [{ messages: [{ role: 'user', content: 'x' }], stop: [''] }, 'stop', /non-empty/],
    [{ messages: [{ role: 'user', content: 'x' }], provider: { sort: 'cheap' } }, 'provider.sort', /price, latency, throughput/],
    [{ messages: [{ role: 'user', content: 'x' }], provider: { only: 'groq' } }, 'provider.only', /array of provider names/],
    [{ messages: [{ role: 'user', content: 'x' }], provider: { max_price: { prompt: -1 } } }, 'provider.max_price.prompt', /must not be negative/],
    [{ messages: [{ role: 'user', content: 'x' }], provider: { max_price: { prompt: '0.1' } } }, 'provider.max_price.prompt', /number of US dollars/],
    [{ messages: [{ role: 'user', content: 'x' }], provider: { allow_fallbacks: 'no' } }, 'provider.allow_fallbacks', /boolean/],
    [{ messages: [{ role: 'user', content: 'x' }], provider: { quantizations: ['fp8'] } }, 'provider.quantizations', /quantizations/],
  ])('rejects %j at %s', (body, param, message) => {
    const r = parseChatCompletionRequest(body);
    if (message === null) return expect(r.ok).toBe(true); // an empty tool_calls list is no tool call
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.param).toBe(param);
      expect(r.problem.message).toMatch(message);
    }
  });
  it('maps tools, tool turns, images, output shape and the other OpenAI options onto the contract; top_p 0 is accepted', () => {
    const r = parseChatCompletionRequest({
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'what is ' }, { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{}' } }] },
        { role: 'tool', content: 'a cat', tool_call_id: 'call_1' },
      ],
      top_p: 0,
      n: 2,
      logprobs: true,
      top_logprobs: 3,
      frequency_penalty: 1,
      logit_bias: { '42': -100 },
      reasoning_effort: 'low',
      seed: 1,
      store: false,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      tools: [{ type: 'function', function: { name: 'look', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'look' } },
      parallel_tool_calls: false,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.request.messages).toEqual([
      { role: Role.USER, content: 'what is ', name: '', parts: [{ part: { case: 'text', value: 'what is ' } }, { part: { case: 'imageUrl', value: { url: 'https://x.test/a.png', detail: 'low' } } }] },
      { role: Role.ASSISTANT, content: '', name: '', toolCalls: [{ id: 'call_1', name: 'look', arguments: '{}' }] },
      { role: Role.TOOL, content: 'a cat', name: '', toolCallId: 'call_1' },
    ]);
    expect(r.request.params).toEqual({
      stop: [],
      topP: 0,
      seed: 1n,
      n: 2,
      logprobs: true,
      topLogprobs: 3,
      frequencyPenalty: 1,
      logitBias: { '42': -100 },
      reasoningEffort: 'low',
      responseFormat: { type: ResponseFormatType.JSON_SCHEMA, schemaName: 'out', schemaJson: '{"type":"object"}', description: '', strict: true },
      tools: [{ name: 'look', description: '', parametersJson: '{"type":"object"}' }],
      toolChoice: { choice: { case: 'functionName', value: 'look' } },
      parallelToolCalls: false,
    });
  });
  it('takes the provider object in OpenRouter’s shape', () => {
    const r = parseChatCompletionRequest({
      messages: [{ role: 'user', content: 'x' }],
      provider: { order: ['groq', 'deepinfra'], ignore: ['fireworks'], sort: 'latency', max_price: { completion: 0.5 }, allow_fallbacks: false },
    });
    expect(r.ok && r.request.provider).toEqual({ order: ['groq', 'deepinfra'], only: [], ignore: ['fireworks'], sort: ProviderSort.LATENCY, maxPrice: { completion: 0.5 }, allowFallbacks: false });
    const none = parseChatCompletionRequest({ messages: [{ role: 'user', content: 'x' }] });
    expect(none.ok && none.request.provider).toBeUndefined();
  });
  it('formats param paths the OpenAI way', () => {
    expect(paramPath(['messages', 0, 'content', 1, 'type'])).toBe('messages[0].content[1].type');
    expect(paramPath([])).toBeNull();
  });
});

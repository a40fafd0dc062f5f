import { ProviderSort, Role } from '@sophia/contracts/common';
import { paramPath, parseChatCompletionRequest } from './openai-request-schema.ts';

describe('parseChatCompletionRequest', () => {
  it('maps roles, params and "auto", preferring max_completion_tokens', () => {
    const r = parseChatCompletionRequest({
      model: 'auto',
      messages: [
        { role: 'developer', content: 'rules' },
        { role: 'user', content: 'q', name: 'ann' },
        { role: 'assistant', content: 'a' },
        { role: 'tool', content: '{}' },
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
          { role: Role.TOOL, content: '{}', name: '' },
        ],
        params: { maxTokens: 20, topP: 0.9, seed: 7n, stop: ['\n\n', 'END'] },
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
  it.each<[unknown, string | null, RegExp]>([
    [null, null, /got null/],
    ['text', null, /got string/],
    [{ messages: [{ content: 'x' }] }, 'messages[0].role', /unknown role missing/],
    [{ messages: [{ role: 'user' }] }, 'messages[0].content', /got undefined/],
    [{ messages: [{ role: 'user', content: [{ type: 'text', text: 5 }] }] }, 'messages[0].content[0].text', /must be a string/],
    [{ messages: ['hi'] }, 'messages[0]', /must be an object/],
    [{ messages: [{ role: 'user', content: 'x' }], seed: 1.5 }, 'seed', /integer/],
    [{ messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'stream', /boolean/],
    [{ messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } }, 'response_format', /only \{"type":"text"\}/],
    [{ messages: [{ role: 'user', content: 'x' }], metadata: { workload: 'a b' } }, 'metadata.workload', /must match/],
    [{ messages: [{ role: 'user', content: 'x' }], stop: [''] }, 'stop', /non-empty/],
    [{ messages: [{ role: 'user', content: 'x' }], provider: { sort: 'cheap' } }, 'provider.sort', /price, latency, throughput/],
    [{ messages: [{ role: 'user', content: 'x' }], provider: { only: 'groq' } }, 'provider.only', /array of provider names/],
    [{ messages: [{ role: 'user', content: 'x' }], provider: { max_price: { prompt: -1 } } }, 'provider.max_price.prompt', /must not be negative/],
    [{ messages: [{ role: 'user', content: 'x' }], provider: { max_price: { prompt: '0.1' } } }, 'provider.max_price.prompt', /number of US dollars/],
    [{ messages: [{ role: 'user', content: 'x' }], provider: { allow_fallbacks: 'no' } }, 'provider.allow_fallbacks', /boolean/],
    [{ messages: [{ role: 'user', content: 'x' }], provider: { quantizations: ['fp8'] } }, 'provider', /quantizations/],
  ])('rejects %j at %s', (body, param, message) => {
    const r = parseChatCompletionRequest(body);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.param).toBe(param);
      expect(r.problem.message).toMatch(message);
    }
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

import { parseChatRequest } from './chat-request.ts';

const valid = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

describe('parseChatRequest', () => {
  it('accepts a minimal request and flattens text parts', () => {
    const result = parseChatRequest({
      ...valid,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }],
      max_completion_tokens: 9,
      max_tokens: 20,
      stream: true,
      stream_options: { include_usage: true },
      stop: 'x',
      seed: 3,
      temperature: 0.2,
    });
    expect(result).toEqual({
      ok: true,
      request: { model: 'm', messages: [{ role: 'user', content: 'ab' }], maxTokens: 9, stream: true, includeUsage: true, stop: ['x'], seed: 3, temperature: 0.2 },
    });
  });

  it.each([
    [[], null],
    [{ messages: valid.messages }, 'model'],
    [{ ...valid, model: '' }, 'model'],
    [{ model: 'm' }, 'messages'],
    [{ ...valid, messages: [] }, 'messages'],
    [{ ...valid, messages: ['x'] }, 'messages[0]'],
    [{ ...valid, messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
    [{ ...valid, messages: [{ role: 'user' }] }, 'messages[0].content'],
    [{ ...valid, messages: [{ role: 'user', content: [{ type: 'image_url' }] }] }, 'messages[0].content'],
    [{ ...valid, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
    [{ ...valid, tool_choice: { type: 'function', function: { name: 'nope' } } }, 'tool_choice'],
    [{ ...valid, top_logprobs: 2 }, 'top_logprobs'],
    [{ ...valid, frequency_penalty: 3 }, 'frequency_penalty'],
    [{ ...valid, messages: [{ role: 'user', content: 'x', name: 3 }] }, 'messages[0].name'],
    [{ ...valid, max_tokens: 0 }, 'max_tokens'],
    [{ ...valid, max_completion_tokens: 1.5 }, 'max_completion_tokens'],
    [{ ...valid, temperature: 3 }, 'temperature'],
    [{ ...valid, stream: 'yes' }, 'stream'],
    [{ ...valid, stream_options: { include_usage: true } }, 'stream_options'],
    [{ ...valid, stream: true, stream_options: { include_usage: 1 } }, 'stream_options.include_usage'],
    [{ ...valid, stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    [{ ...valid, seed: 'x' }, 'seed'],
    [{ ...valid, n: 200 }, 'n'],
  ])('rejects %j with param %j', (body, param) => {
    const result = parseChatRequest(body);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.param).toBe(param);
      if (param !== null) expect(result.error.message).toContain(param.split('.')[0]!.split('[')[0]);
    }
  });
});

import { parseChatChunk } from './parse-chat-chunk.ts';

describe('parseChatChunk', () => {
  it('reads text, finish reason, model and usage', () => {
    expect(parseChatChunk('{"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}')).toEqual({
      text: 'hi',
      choices: [],
      finishReason: 'stop',
      model: 'm',
    });
    expect(parseChatChunk('{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}')).toEqual({
      text: '',
      choices: [],
      usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
    });
  });

  it('reads the prompt-cache hits of usage.prompt_tokens_details.cached_tokens (0 or absent: none)', () => {
    const usage = (details: string) => parseChatChunk(`{"choices":[],"usage":{"prompt_tokens":100,"completion_tokens":4,"total_tokens":104${details}}}`).usage;
    expect(usage(',"prompt_tokens_details":{"cached_tokens":64}')).toEqual({ promptTokens: 100, completionTokens: 4, totalTokens: 104, cachedPromptTokens: 64 });
    expect(usage(',"prompt_tokens_details":{"cached_tokens":0}')).toEqual({ promptTokens: 100, completionTokens: 4, totalTokens: 104 });
    expect(usage(',"prompt_tokens_details":{"audio_tokens":0}')).toEqual({ promptTokens: 100, completionTokens: 4, totalTokens: 104 });
    expect(usage(',"prompt_tokens_details":null')).toEqual({ promptTokens: 100, completionTokens: 4, totalTokens: 104 });
  });

  it('keeps other choices, tool-call pieces and logprobs as choice deltas; null content is no text', () => {
    const chunk = parseChatChunk(
      JSON.stringify({
        choices: [
          { index: 1, delta: { content: 'two' }, finish_reason: 'length' },
          { index: 0, delta: { content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a"' } }] } },
          { index: 2, delta: { content: 'x' }, logprobs: { content: [{ token: 'x', logprob: -0.5, bytes: [120], top_logprobs: [{ token: 'y', logprob: -1.5, bytes: null }] }] } },
        ],
      }),
    );
    expect(chunk.text).toBe('');
    expect(chunk.finishReason).toBeUndefined();
    expect(chunk.choices).toEqual([
      { index: 1, content: 'two', refusal: '', toolCalls: [], logprobs: [], finishReason: 'length' },
      { index: 0, content: '', refusal: '', toolCalls: [{ index: 0, id: 'call_1', name: 'f', arguments: '{"a"' }], logprobs: [], finishReason: '' },
      {
        index: 2,
        content: 'x',
        refusal: '',
        toolCalls: [],
        logprobs: [{ token: 'x', logprob: -0.5, bytes: Uint8Array.from([120]), topLogprobs: [{ token: 'y', logprob: -1.5, bytes: new Uint8Array() }] }],
        finishReason: '',
      },
    ]);
    expect(parseChatChunk('{"choices":[{"index":0,"delta":{"content":null}}]}')).toEqual({ text: '', choices: [] });
  });

  it('reports an in-band error', () => {
    expect(parseChatChunk('{"error":{"message":"overloaded"}}')).toEqual({ text: '', choices: [], error: 'overloaded' });
  });

  it.each([
    ['{"choices": [', 'not valid JSON'],
    ['[1,2]', 'not a JSON object'],
    ['{"choices":{}}', 'chunk.choices is not an array'],
    ['{"choices":[{"delta":{"content":5}}]}', 'chunk.choices[0].delta.content is not a string'],
    ['{"usage":{"prompt_tokens":-1,"completion_tokens":2}}', 'chunk.usage.prompt_tokens'],
    ['{"usage":{"prompt_tokens":3,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":4}}}', 'chunk.usage.prompt_tokens_details.cached_tokens'],
    ['{"usage":{"prompt_tokens":3,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":"1"}}}', 'chunk.usage.prompt_tokens_details.cached_tokens'],
    ['{"choices":[{"delta":{"tool_calls":{}}}]}', 'chunk.choices[0].delta.tool_calls is not an array'],
    ['{"choices":[{"delta":{},"logprobs":{"content":[{"token":"a"}]}}]}', 'chunk.choices[0].logprobs.content[0]'],
  ])('rejects %s naming the problem', (data, message) => {
    expect(() => parseChatChunk(data)).toThrow(message);
  });
});

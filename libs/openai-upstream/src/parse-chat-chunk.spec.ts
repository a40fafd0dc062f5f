import { parseChatChunk } from './parse-chat-chunk.ts';

describe('parseChatChunk', () => {
  it('reads text, finish reason, model and usage', () => {
    expect(parseChatChunk('{"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}')).toEqual({
      text: 'hi',
      finishReason: 'stop',
      model: 'm',
    });
    expect(parseChatChunk('{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}')).toEqual({
      text: '',
      usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
    });
  });

  it('ignores choices other than index 0 and null content', () => {
    expect(parseChatChunk('{"choices":[{"index":1,"delta":{"content":"no"}},{"index":0,"delta":{"content":null}}]}')).toEqual({ text: '' });
  });

  it('reports an in-band error', () => {
    expect(parseChatChunk('{"error":{"message":"overloaded"}}')).toEqual({ text: '', error: 'overloaded' });
  });

  it.each([
    ['{"choices": [', 'not valid JSON'],
    ['[1,2]', 'not a JSON object'],
    ['{"choices":{}}', 'chunk.choices is not an array'],
    ['{"choices":[{"delta":{"content":5}}]}', 'chunk.choices[0].delta.content is not a string'],
    ['{"usage":{"prompt_tokens":-1,"completion_tokens":2}}', 'chunk.usage.prompt_tokens'],
  ])('rejects %s naming the problem', (data, message) => {
    expect(() => parseChatChunk(data)).toThrow(message);
  });
});

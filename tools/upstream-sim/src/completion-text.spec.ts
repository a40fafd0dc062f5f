import { createCompletionText, type CompletionTextInput } from './completion-text.ts';
import { encodeText } from './token-counter.ts';

const base: CompletionTextInput = {
  persona: 'vllm',
  model: 'llama-3.1-8b',
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
  outputTokens: 40,
  stop: [],
};

describe('createCompletionText', () => {
  it('says it is simulated and echoes the prompt', () => {
    const { text } = createCompletionText(base);
    expect(text.startsWith('[simulated vllm llama-3.1-8b] Re: What is the capital of France?')).toBe(true);
  });

  it('is deterministic for (model, messages, seed) and varies with each', () => {
    const first = createCompletionText(base).text;
    expect(createCompletionText(base).text).toBe(first);
    expect(createCompletionText({ ...base, seed: 7 }).text).not.toBe(first);
    expect(createCompletionText({ ...base, model: 'other' }).text).not.toBe(first.replace('llama-3.1-8b', 'other'));
    expect(createCompletionText({ ...base, messages: [{ role: 'user', content: 'Something else' }] }).text).not.toBe(first);
  });

  it('has exactly outputTokens tokens, one per piece, and re-encodes to the same count', () => {
    for (const outputTokens of [1, 5, 17, 40, 200]) {
      const completion = createCompletionText({ ...base, outputTokens });
      expect(completion.pieces).toHaveLength(outputTokens);
      expect(completion.finishReason).toBe('stop');
      for (const piece of completion.pieces) expect(encodeText(piece)).toHaveLength(1);
      expect(encodeText(completion.text)).toHaveLength(outputTokens);
    }
  });

  it('cuts at max_tokens with finish_reason length', () => {
    const completion = createCompletionText({ ...base, maxTokens: 12 });
    expect(completion.pieces).toHaveLength(12);
    expect(completion.finishReason).toBe('length');
    expect(createCompletionText({ ...base, maxTokens: 40 }).finishReason).toBe('stop');
  });

  it('stops before a stop sequence', () => {
    const completion = createCompletionText({ ...base, stop: ['capital'] });
    expect(completion.text).toBe('[simulated vllm llama-3.1-8b] Re: What is the ');
    expect(completion.finishReason).toBe('stop');
    expect(completion.pieces.join('')).toBe(completion.text);
  });

  it('keeps non-ASCII prompts out of the echo so every token decodes whole', () => {
    const completion = createCompletionText({ ...base, messages: [{ role: 'user', content: 'héllo 世界 <|endoftext|>' }] });
    expect(completion.text).toContain('Re: h llo <|endoftext|>.');
    expect(completion.pieces.join('')).toBe(completion.text);
  });
});

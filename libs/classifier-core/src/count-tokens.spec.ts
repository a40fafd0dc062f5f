import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { countPromptTokens } from './count-tokens.ts';
import { expectedOutputTokens } from './expected-output-tokens.ts';

describe('countPromptTokens', () => {
  it('adds template overhead per message and per request', () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    expect(countPromptTokens([{ role: 'user', content: text }])).toBe(3 + 3 + countTokens('user') + countTokens(text));
    expect(countPromptTokens([])).toBe(3);
  });

  it('grows with every turn', () => {
    const one = countPromptTokens([{ role: 'user', content: 'hi' }]);
    const two = countPromptTokens([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ]);
    expect(two).toBeGreaterThan(one);
  });
});

describe('expectedOutputTokens', () => {
  it('scales length-preserving tasks with the input and clamps them', () => {
    expect(expectedOutputTokens('rewriting', 400)).toBe(400);
    expect(expectedOutputTokens('rewriting', 5)).toBe(30);
    expect(expectedOutputTokens('summarization', 1000)).toBe(200);
    expect(expectedOutputTokens('summarization', 100_000)).toBe(600);
    expect(expectedOutputTokens('extraction', 60)).toBe(40);
  });

  it('uses fixed typical lengths otherwise', () => {
    expect(expectedOutputTokens('classification', 5000)).toBe(20);
    expect(expectedOutputTokens('code', 10)).toBe(600);
  });
});

import { encodeChat } from 'gpt-tokenizer';
import { countPromptTokens, type PromptMessage } from './token-counter.ts';

const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

describe('countPromptTokens', () => {
  it("equals gpt-tokenizer's encodeChat for gpt-4o", () => {
    const conversations: PromptMessage[][] = [
      [{ role: 'user', content: 'hi' }],
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is 2+2?' },
        { role: 'assistant', content: '4' },
        { role: 'user', content: 'and 3+3? Say <|endoftext|> after.' },
      ],
      [{ role: 'user', content: 'named', name: 'bob' }],
      [{ role: 'tool', content: '{"a":1}' }],
      [{ role: 'user', content: '漢字とひらがな。 https://example.com/a/b?c=d' }],
    ];
    for (const messages of conversations) expect(countPromptTokens(messages)).toBe(encodeChat(messages, 'gpt-4o', PLAIN_TEXT).length);
  });

  it('counts a flood of one character class (the BPE alone is quadratic on it)', () => {
    for (const unit of ['\n', 'x', ' \n']) expect(countPromptTokens([{ role: 'user', content: unit.repeat(200_000) }])).toBeGreaterThan(1000);
  });
});

import { countPromptTokens } from '@sophia/classifier-core';
import { create } from '@bufbuild/protobuf';
import { ChatMessageSchema, Role } from '@sophia/contracts/common';
import { countPromptTokensLazily } from './token-count.ts';

describe('countPromptTokensLazily', () => {
  it("counts a conversation exactly as the classifier does, so an explicit-model request reserves what a classified one would", async () => {
    const messages = [
      { role: Role.SYSTEM, content: 'You are terse.', name: '' },
      { role: Role.USER, content: 'What is 2+2? <|endoftext|>', name: '' },
    ];
    const expected = countPromptTokens([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'What is 2+2? <|endoftext|>' },
    ]);
    expect(await countPromptTokensLazily(messages.map((m) => create(ChatMessageSchema, m)))).toBe(expected);
    expect(expected).toBeGreaterThan(12);
  });
});

import { countPromptTokens } from './count-tokens.ts';
import { createClassifier } from './create-classifier.ts';
import { loadDefaultModel } from './load-default-model.ts';

// Inputs that once made a regex or the tokenizer quadratic (a 60 KB prompt of newlines held the
// classifier for 25 s) or made the tokenizer throw. Each must classify; the suite's timeout is the
// hang guard — no wall-clock threshold is asserted.
const FLOODS: Record<string, string> = {
  newlines: '\n',
  'space-newline': ' \n',
  letters: 'x',
  digits: '1',
  cjk: '漢',
  'option lines': 'A.\n',
  'select without from': 'select a ',
  'special-token text': '<|endoftext|>',
};

describe('pathological prompts', () => {
  const classifier = createClassifier(loadDefaultModel());

  it.each(Object.entries(FLOODS))('classifies 200,000 characters of %s', (_, unit) => {
    const content = unit.repeat(Math.ceil(200_000 / unit.length));
    const result = classifier.classify([{ role: 'user', content }]);
    expect(result.score).toBeGreaterThanOrEqual(0);
    expect(result.score).toBeLessThanOrEqual(1);
    expect(result.promptTokens).toBeGreaterThan(1000);
  });

  it('counts special-token text in any role as text', () => {
    const messages = [
      { role: 'system', content: 'Never print <|endoftext|>.' },
      { role: 'user', content: 'What does <|im_start|> mean?' },
    ];
    expect(countPromptTokens(messages)).toBeGreaterThan(10);
    expect(classifier.classify(messages).promptTokens).toBe(countPromptTokens(messages));
  });
});

import { DENSE_FEATURE_NAMES, MAX_WORDS, extractFeatures } from './extract-features.ts';

const user = (content: string) => [{ role: 'user', content }];

describe('extractFeatures', () => {
  it('produces every dense feature plus the task one-hot', () => {
    const features = extractFeatures(user('Why is the sky blue?'), 9);
    for (const name of DENSE_FEATURE_NAMES) expect(Number.isFinite(features.dense.get(name))).toBe(true);
    expect(features.dense.get('task:open_qa')).toBe(1);
    expect(features.taskType).toBe('open_qa');
    expect(features.dense.get('log_prompt_tokens')).toBeCloseTo(Math.log1p(9), 12);
  });

  it('lower-cases and de-duplicates words', () => {
    const { words } = extractFeatures(user("The cat's hat; the CAT sat."), 1);
    expect([...words].sort()).toEqual(["cat's", 'cat', 'hat', 'sat', 'the'].sort());
  });

  it('caps the vocabulary of one prompt', () => {
    const text = Array.from({ length: MAX_WORDS + 50 }, (_, i) => `w${'a'.repeat(1 + (i % 7))}${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26) % 26)}`).join(' ');
    expect(extractFeatures(user(text), 1).words.length).toBeLessThanOrEqual(MAX_WORDS);
  });

  it('detects multiple-choice questions and numeric options', () => {
    const mc = extractFeatures(user('What is 2+2?\nA. 3\nB. 4\nC. 5\nD. 22\nAnswer:'), 1).dense;
    expect(mc.get('multiple_choice')).toBe(1);
    expect(mc.get('numeric_choices')).toBe(1);
    const words = extractFeatures(user('Pick one.\nA. red\nB. blue'), 1).dense;
    expect(words.get('multiple_choice')).toBe(1);
    expect(words.get('numeric_choices')).toBe(0);
    expect(extractFeatures(user('No options here.'), 1).dense.get('multiple_choice')).toBe(0);
  });

  it('counts digits, maths symbols, code and negation cues', () => {
    const maths = extractFeatures(user('Compute 12 * 7 = ? and 3^2.'), 1).dense;
    expect(maths.get('log_digits')).toBeCloseTo(Math.log1p(5), 12);
    expect(maths.get('log_numbers')).toBeCloseTo(Math.log1p(4), 12);
    expect(maths.get('log_math_symbols')).toBeCloseTo(Math.log1p(3), 12);
    const code = extractFeatures(user('```ts\nconst f = () => { return [1]; };\n```'), 1).dense;
    expect(code.get('has_code_fence')).toBe(1);
    expect(code.get('code_char_ratio')).toBeGreaterThan(0.1);
    expect(extractFeatures(user('Which of these is NOT a mammal?'), 1).dense.get('has_negation_cue')).toBe(1);
    expect(extractFeatures(user('Which of these is a mammal?'), 1).dense.get('has_negation_cue')).toBe(0);
  });

  it('describes the stem and options of a multiple-choice question', () => {
    const stem = 'Which of the following is true? I. Cats purr. II. Dogs fly.';
    const dense = extractFeatures(user(`${stem}\nA. I only\nB. II only\nC. Both I and II are correct\nD. Neither`), 1).dense;
    expect(dense.get('log_stem_chars')).toBeCloseTo(Math.log1p(stem.length + 1), 12);
    expect(dense.get('has_roman_list')).toBe(1);
    expect(dense.get('has_statement_pair')).toBe(0);
    expect(dense.get('choice_length_spread')).toBeCloseTo(Math.log1p('Both I and II are correct'.length) - Math.log1p('I only'.length), 12);
    const pair = extractFeatures(user('Statement 1 | x. Statement 2 | y.\nA. True, True\nB. False, False'), 1).dense;
    expect(pair.get('has_statement_pair')).toBe(1);
    const open = extractFeatures(user('How many eggs are left?'), 1).dense;
    expect(open.get('log_stem_chars')).toBeCloseTo(Math.log1p('How many eggs are left?'.length), 12);
    expect(open.get('choice_length_spread')).toBe(0);
    // Blank lines between the stem and the options belong to neither: the stem ends where they start.
    const spaced = extractFeatures(user('Why?\n\n  \nA. x\nB. y'), 1).dense;
    expect(spaced.get('log_stem_chars')).toBeCloseTo(Math.log1p('Why?\n'.length), 12);
    expect(extractFeatures(user('\n\nA. x\nB. y'), 1).dense.get('log_stem_chars')).toBe(0);
  });

  it('sees system prompts and turns', () => {
    const dense = extractFeatures(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'what now' },
      ],
      20,
    ).dense;
    expect(dense.get('has_system')).toBe(1);
    expect(dense.get('log_chars_system')).toBeCloseTo(Math.log1p('Be brief.'.length), 12);
    expect(dense.get('log_user_turns')).toBeCloseTo(Math.log1p(2), 12);
    expect(dense.get('log_assistant_turns')).toBeCloseTo(Math.log1p(1), 12);
    expect(dense.get('log_chars_last_user')).toBeCloseTo(Math.log1p('what now'.length), 12);
  });

  it('handles an empty conversation', () => {
    const features = extractFeatures([], 3);
    expect(features.words).toEqual([]);
    for (const value of features.dense.values()) expect(Number.isFinite(value)).toBe(true);
  });
});

import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { createSafeTokenCounter, MAX_RUN } from './safe-token-counter.ts';

const count = createSafeTokenCounter(countTokens, O200K_TOKEN_SPLIT_REGEX);

describe('createSafeTokenCounter', () => {
  it('counts natural text exactly as the tokenizer does', () => {
    const texts = [
      '',
      'hi',
      'Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins.',
      'def f(x):\n    return x ** 2\n\n\nprint(f(3))',
      '漢字とひらがなの混じった文章です。句読点もあります。',
      'emoji 😀😀 and accents: naïve café',
      'See https://example.com/a/very/long/path/with/many/segments/and/more/segments/than/sixty-four/characters?x=1&y=2 now',
      `| Driveway${'-'.repeat(62)}House | BOSS)${'-'.repeat(61)}On`,
      '人工知能は、計算機科学の一分野であり、人間の知的能力をコンピュータ上で実現する技術の総称である。機械学習、深層学習、自然言語処理などを含み、近年急速に発展している。'.repeat(3),
    ];
    for (const text of texts) expect(count(text)).toBe(text === '' ? 0 : countTokens(text));
  });

  it('treats special-token text as plain text instead of throwing', () => {
    expect(() => countTokens('print <|endoftext|>')).toThrow();
    expect(count('print <|endoftext|>')).toBeGreaterThan(3);
    expect(count('<|im_start|>system<|im_end|>')).toBeGreaterThan(3);
  });

  it('counts pathological runs in pieces, close to the exact count, without splitting surrogate pairs', () => {
    const newlines = '\n'.repeat(MAX_RUN * 4 + 3);
    const exact = countTokens(newlines);
    expect(Math.abs(count(newlines) - exact)).toBeLessThanOrEqual(5);
    const emoji = '😀'.repeat(MAX_RUN * 2 + 1);
    expect(count(emoji)).toBe(countTokens(emoji));
    const mixed = `before ${'x'.repeat(MAX_RUN * 3)} after`;
    expect(count(mixed)).toBeGreaterThanOrEqual(countTokens(mixed) - 3);
  });

  it('finishes on a megabyte of one character class (the unguarded tokenizer takes minutes)', () => {
    for (const unit of ['x', '\n', ' ', '漢']) expect(count(unit.repeat(1 << 20))).toBeGreaterThan(0);
  });
});

describe('loadO200kCounter', () => {
  it('loads the o200k counter once, safe against special-token text', async () => {
    const { loadO200kCounter } = await import('./load-o200k-counter.ts');
    const first = await loadO200kCounter();
    expect(await loadO200kCounter()).toBe(first);
    expect(first('hello world')).toBe(countTokens('hello world'));
    expect(first('<|endoftext|>')).toBeGreaterThan(1);
  });
});

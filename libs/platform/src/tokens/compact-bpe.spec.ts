import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { loadCompactBpe } from './compact-bpe.ts';
import { o200kCounter } from './load-o200k-counter.ts';
import { createSafeTokenCounter } from './safe-token-counter.ts';

const dir = mkdtempSync(join(tmpdir(), 'compact-bpe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A `.tiktoken` file of `tokens`, ranked in order. */
function vocabulary(name: string, tokens: readonly string[]): string {
  const file = join(dir, name);
  writeFileSync(file, tokens.map((t, rank) => `${Buffer.from(t, 'utf8').toString('base64')} ${rank}`).join('\n') + '\n');
  return file;
}

describe('loadCompactBpe', () => {
  it('merges the adjacent pair of lowest rank first, as tiktoken does', () => {
    // "abcd": bc (rank 4) merges before ab (5) and cd (6), and "abc" / "bcd" are not tokens: a|bc|d.
    const bpe = loadCompactBpe(vocabulary('small.tiktoken', ['a', 'b', 'c', 'd', 'bc', 'ab', 'cd', 'abcd ']), /[a-z]+|\s+/gu);
    expect(bpe.size).toBe(8);
    expect(bpe.count('abcd')).toBe(3);
    expect(bpe.count('ab cd')).toBe(3); // ab, " ", cd: each pre-token apart
    expect(bpe.count('dcba')).toBe(4);
    expect(bpe.count('')).toBe(0);
  });

  it('names the line of a malformed vocabulary', () => {
    const file = join(dir, 'bad.tiktoken');
    writeFileSync(file, 'YQ== 0\nYg==\n');
    expect(() => loadCompactBpe(file, /./gu)).toThrow(/bad\.tiktoken: line 2 is not "<base64> <rank>"/);
    writeFileSync(file, 'Y*== 0\n');
    expect(() => loadCompactBpe(file, /./gu)).toThrow(/line 1 has a character outside base64/);
  });
});

describe('o200kCounter', () => {
  // gpt-tokenizer's own o200k tables (200k strings and a Map, ≈ +60 MiB per process) are the oracle.
  const oracle = createSafeTokenCounter(countTokens, O200K_TOKEN_SPLIT_REGEX);
  const count = o200kCounter();

  it('counts exactly as gpt-tokenizer on prose, code, other scripts, emoji and special-token text', () => {
    const samples = [
      'Explain what a circuit breaker does, briefly.',
      "I'm sure they'll say it's fine — don't you think? We've SEEN IT'S DONE.",
      'function add(a: number, b: number): number {\n  return a + b; // 42\n}\n\n\n',
      'SELECT region, SUM(revenue) FROM sales WHERE quarter = \'2024-Q3\' GROUP BY 1;',
      'Привет, как дела? Ça va très bien, merci. Grüße aus München! ¿Qué tal?',
      '東京は日本の首都です。北京是中国的首都。서울은 한국의 수도입니다.',
      'مرحبا بالعالم — नमस्ते दुनिया — γειά σου κόσμε',
      'emoji 👩‍👩‍👧‍👦 🇫🇷 ✅ and e\u0301 combining, zero\u200Bwidth',
      '<|endoftext|> and <|im_start|>user are text here',
      '1234567890 3.14159 1e-9 0xFFEE 1,000,000',
      '    indented\t\ttabs\r\n\r\nwindows lines   trailing   ',
      'a'.repeat(200),
      '\n'.repeat(70),
      'https://example.com/a/very/long/path?with=query&and=more#fragment',
    ];
    for (const text of samples) expect({ text, count: count(text) }).toEqual({ text, count: oracle(text) });
  });

  it('counts exactly as gpt-tokenizer on 2,000 random mixtures of scripts, digits, punctuation and whitespace', () => {
    const pool = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', ...' \n\t.,;:!?\'"()[]{}<>/\\-_=+*&^%$#@~`|', ...'éèàüöñçßøåÉÀ', ...'абвгдеёжзийклмнопрстуфхцчшщъыьэюя', ...'日本語中文字한국어', '😀', '🚀', '\u0301', '\u00A0'];
    let seed = 7;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    const mismatches: Array<{ text: string; got: number; want: number }> = [];
    for (let i = 0; i < 2000; i++) {
      const length = 1 + next(120);
      let text = '';
      for (let j = 0; j < length; j++) text += pool[next(pool.length)];
      const got = count(text);
      const want = oracle(text);
      if (got !== want) mismatches.push({ text, got, want });
    }
    expect(mismatches).toEqual([]);
  });
});

import { parseCsv } from './parse-csv.ts';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, embedded newlines and CRLF', () => {
    const text = 'prompt,a,b\r\n"Line one\nline ""two""",True,False\r\nplain,False,True';
    expect(parseCsv(text)).toEqual([
      ['prompt', 'a', 'b'],
      ['Line one\nline "two"', 'True', 'False'],
      ['plain', 'False', 'True'],
    ]);
  });

  it('keeps empty fields and ignores a trailing newline', () => {
    expect(parseCsv('a,,c\n')).toEqual([['a', '', 'c']]);
  });

  it('rejects an unterminated quote', () => {
    expect(() => parseCsv('"open,1')).toThrow('inside a quoted field');
  });
});

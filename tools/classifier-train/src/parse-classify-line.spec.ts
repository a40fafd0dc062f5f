import { parseClassifyLine } from './parse-classify-line.ts';

describe('parseClassifyLine', () => {
  it('reads the prompt form as one user turn', () => {
    expect(parseClassifyLine('{"id":"a","prompt":"hi"}')).toEqual({ kind: 'ok', id: 'a', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('reads the messages form, joining text parts', () => {
    const line = JSON.stringify({
      id: 'b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'image_url' }, { type: 'text', text: 'two' }] },
      ],
    });
    expect(parseClassifyLine(line)).toEqual({
      kind: 'ok',
      id: 'b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'one\n\ntwo' },
      ],
    });
  });

  it('answers a line with an id but a bad body conservatively', () => {
    expect(parseClassifyLine('{"id":"c","prompt":5}')).toEqual({ kind: 'bad-body', id: 'c', problem: 'needs a string "prompt" or a "messages" array' });
    expect(parseClassifyLine('{"id":"d","messages":[{"role":"user"}]}')).toEqual({
      kind: 'bad-body',
      id: 'd',
      problem: 'field "messages" must be a non-empty array of {role: string, content: string}',
    });
    expect(parseClassifyLine('{"id":"e","messages":[]}')).toMatchObject({ kind: 'bad-body', id: 'e' });
  });

  it('is fatal without a usable id', () => {
    expect(parseClassifyLine('{oops')).toMatchObject({ kind: 'fatal', problem: expect.stringContaining('not valid JSON') });
    expect(parseClassifyLine('[1]')).toEqual({ kind: 'fatal', problem: 'not a JSON object' });
    expect(parseClassifyLine('{"id":7,"prompt":"x"}')).toEqual({ kind: 'fatal', problem: 'field "id" must be a string' });
  });
});

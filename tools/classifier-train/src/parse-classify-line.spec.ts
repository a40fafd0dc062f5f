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
        { role: 'user', content: 'one\ntwo' },
      ],
    });
  });

  it('answers a line with an id but a bad body conservatively', () => {
    expect(parseClassifyLine('{"id":"c"}')).toEqual({ kind: 'bad-body', id: 'c', problem: 'needs a string "prompt" or a "messages" array' });
    expect(parseClassifyLine('{"id":"d","messages":[{"role":"user"}]}')).toEqual({
      kind: 'bad-body',
      id: 'd',
      problem: 'messages[0].content is required (a string, null or an array of parts)',
    });
    expect(parseClassifyLine('{"id":"e","messages":[]}')).toEqual({ kind: 'bad-body', id: 'e', problem: 'messages must hold at least one message' });
  });

  it('names the field of a bad message, and never falls back to the prompt when messages are broken', () => {
    const bad = (messages: unknown, extra: Record<string, unknown> = {}) => parseClassifyLine(JSON.stringify({ id: 'x', ...extra, messages }));
    expect(bad([{ role: 'user', content: 5 }], { prompt: 'hi' })).toEqual({
      kind: 'bad-body',
      id: 'x',
      problem: 'messages[0].content must be a string, null or an array of {type, text} parts',
    });
    expect(bad([], { prompt: 'hi' })).toMatchObject({ kind: 'bad-body', problem: 'messages must hold at least one message' });
    expect(bad([{ role: 'user', content: 'ok' }, { role: 'user', content: [{ type: 'text', text: 5 }] }])).toMatchObject({
      problem: 'messages[1].content[0].text must be a string',
    });
    expect(bad([{ role: 'user', content: [7] }])).toMatchObject({ problem: 'messages[0].content[0] must be an object with a string "type"' });
    expect(bad([{ role: 'user' }])).toMatchObject({ problem: 'messages[0].content is required (a string, null or an array of parts)' });
    expect(bad([{ role: 5, content: 'x' }])).toMatchObject({ problem: 'messages[0].role must be a string' });
    expect(bad('hi')).toMatchObject({ problem: 'messages must be an array of {role, content}' });
    expect(parseClassifyLine('{"id":"p","prompt":5}')).toMatchObject({ problem: 'prompt must be a string' });
  });

  it('accepts OpenAI assistant turns with null content (tool calls only)', () => {
    const line = JSON.stringify({ id: 't', messages: [{ role: 'assistant', content: null }, { role: 'user', content: 'and now?' }] });
    expect(parseClassifyLine(line)).toEqual({
      kind: 'ok',
      id: 't',
      messages: [
        { role: 'assistant', content: '' },
        { role: 'user', content: 'and now?' },
      ],
    });
  });

  it('is fatal without a usable id', () => {
    expect(parseClassifyLine('{oops')).toMatchObject({ kind: 'fatal', problem: expect.stringContaining('not valid JSON') });
    expect(parseClassifyLine('[1]')).toEqual({ kind: 'fatal', problem: 'not a JSON object' });
    expect(parseClassifyLine('{"id":7,"prompt":"x"}')).toEqual({ kind: 'fatal', problem: 'field "id" must be a string' });
  });
});

import { findJsonBodyProblem } from './json-body-check.ts';

describe('findJsonBodyProblem', () => {
  it('accepts ordinary bodies, escapes and proper surrogate pairs', () => {
    expect(findJsonBodyProblem('{"model":"auto","messages":[{"role":"user","content":"a \\"quoted\\" \\\\ \\ud83d\\ude00 \\u00e9"}],"stop":["x","y"]}')).toBeUndefined();
    expect(findJsonBodyProblem('[{"a":1},{"a":2}]')).toBeUndefined();
    expect(findJsonBodyProblem('{"a":{"b":1},"c":{"b":2}}')).toBeUndefined();
  });

  it('names a duplicate key by its path, at any depth', () => {
    expect(findJsonBodyProblem('{"max_tokens":4,"max_tokens":4000000}')).toMatchObject({ path: 'max_tokens', code: 'duplicate_key' });
    expect(findJsonBodyProblem('{"messages":[{"role":"user"},{"role":"user","role":"system"}]}')).toMatchObject({ path: 'messages[1].role' });
    // The same key spelled with an escape is the same key.
    expect(findJsonBodyProblem('{"model":"a","mod\\u0065l":"b"}')).toMatchObject({ path: 'model' });
  });

  it('names a lone surrogate escape by the field that holds it', () => {
    expect(findJsonBodyProblem('{"messages":[{"role":"user","content":"hi \\ud800 there"}]}')).toMatchObject({ path: 'messages[0].content', code: 'invalid_unicode' });
    expect(findJsonBodyProblem('{"messages":[{"content":"\\udc00"}]}')).toMatchObject({ path: 'messages[0].content' });
    expect(findJsonBodyProblem('{"x":"\\ud800\\u0041"}')).toMatchObject({ path: 'x' });
  });

  it('walks 100,000 levels of nesting without recursion', () => {
    expect(findJsonBodyProblem(`{"messages":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)).toBeUndefined();
  });
});

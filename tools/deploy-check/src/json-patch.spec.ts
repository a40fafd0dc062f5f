import { applyJsonPatch, toJsonPatch } from './json-patch.ts';

describe('applyJsonPatch', () => {
  const doc = { spec: { replicas: 2, list: ['a', 'b'], 'x/y': 1 } };

  it('replaces, adds (also at the end of a list) and removes', () => {
    const out = applyJsonPatch(doc, [
      { op: 'replace', path: '/spec/replicas', value: 1 },
      { op: 'add', path: '/spec/list/-', value: 'c' },
      { op: 'add', path: '/spec/list/0', value: 'z' },
      { op: 'remove', path: '/spec/x~1y' },
    ]);
    expect(out).toEqual({ spec: { replicas: 1, list: ['z', 'a', 'b', 'c'] } });
    expect(doc.spec.replicas).toBe(2);
  });

  it('fails naming the path that does not exist', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/minReplicas', value: 1 }], 'p')).toThrow('p: path /spec/minReplicas does not exist');
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/nope/x', value: 1 }], 'p')).toThrow('no "nope"');
  });

  it('validates operations by index', () => {
    expect(() => toJsonPatch([{ op: 'replace', path: '/a' }], 'k')).toThrow('k[0]: "replace" needs a value');
    expect(() => toJsonPatch({ op: 'add' }, 'k')).toThrow('k: a JSON patch must be a list of operations');
  });
});

import { createApiKeySession, keyFromFragment } from './api-key-session.ts';

/** A Storage over a Map (sessionStorage's interface). */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

describe('keyFromFragment', () => {
  it('takes the key out of the fragment and keeps the rest', () => {
    expect(keyFromFragment('#key=sk-abc')).toEqual({ key: 'sk-abc', rest: '' });
    expect(keyFromFragment('#range=7d&key=sk%2Babc')).toEqual({ key: 'sk+abc', rest: '#range=7d' });
  });

  it('finds no key in an empty, blank or key-less fragment', () => {
    expect(keyFromFragment('')).toEqual({ key: undefined, rest: '' });
    expect(keyFromFragment('#key=%20')).toEqual({ key: undefined, rest: '' });
    expect(keyFromFragment('#section')).toEqual({ key: undefined, rest: '#section=' });
  });
});

describe('createApiKeySession', () => {
  it('keeps one key in the storage until cleared', () => {
    const storage = memoryStorage();
    const session = createApiKeySession(storage);
    expect(session.get()).toBeUndefined();
    session.set('sk-1');
    expect(session.get()).toBe('sk-1');
    expect(storage.length).toBe(1);
    session.clear();
    expect(session.get()).toBeUndefined();
  });
});

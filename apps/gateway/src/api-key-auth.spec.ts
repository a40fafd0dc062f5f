import { createApiKeyAuth, generateLocalApiKey, parseApiKeys, presentedApiKey } from './api-key-auth.ts';

describe('parseApiKeys', () => {
  it('parses key:tenant pairs, trimming and allowing ":" inside the key', () => {
    expect(parseApiKeys(' sk-a:acme , sk:b:globex ,').entries).toEqual([
      { key: 'sk-a', tenant: 'acme' },
      { key: 'sk:b', tenant: 'globex' },
    ]);
  });
  it('names every bad entry by position without echoing keys', () => {
    const { problems } = parseApiKeys('nocolon,sk-x:bad tenant,sk-y:ok,sk-y:dup,:anon');
    expect(problems).toEqual([
      'entry 1: expected key:tenant[:scope+scope] with a non-empty printable key',
      expect.stringMatching(/^entry 2: tenant must match/),
      'entry 4: duplicate key',
      'entry 5: expected key:tenant[:scope+scope] with a non-empty printable key',
    ]);
    expect(problems.join(' ')).not.toContain('sk-x');
    expect(parseApiKeys(' , ').problems).toEqual(['expected at least one key:tenant entry']);
  });
});

describe('presentedApiKey', () => {
  it('reads a Bearer token or x-api-key, Authorization first', () => {
    expect(presentedApiKey(new Headers({ authorization: 'Bearer sk-1' }))).toBe('sk-1');
    expect(presentedApiKey(new Headers({ authorization: 'bearer   sk-1  ' }))).toBe('sk-1');
    expect(presentedApiKey(new Headers({ 'x-api-key': 'sk-2' }))).toBe('sk-2');
    expect(presentedApiKey(new Headers({ authorization: 'Basic abc', 'x-api-key': 'sk-2' }))).toBeUndefined();
    expect(presentedApiKey(new Headers())).toBeUndefined();
  });
});

describe('createApiKeyAuth', () => {
  const auth = createApiKeyAuth([
    { key: 'sk-acme-1', tenant: 'acme' },
    { key: 'sk-globex-1', tenant: 'globex' },
  ]);
  it('maps a known key to its tenant and refuses others, including prefixes and near misses', () => {
    expect(auth.tenantFor('sk-acme-1')).toBe('acme');
    expect(auth.tenantFor('sk-globex-1')).toBe('globex');
    expect(auth.tenantFor('sk-acme-')).toBeUndefined();
    expect(auth.tenantFor('sk-acme-12')).toBeUndefined();
    expect(auth.tenantFor('')).toBeUndefined();
    expect(auth.tenantFor(undefined)).toBeUndefined();
  });
  it('generates distinct local keys', () => {
    const a = generateLocalApiKey();
    expect(a).toMatch(/^sk-local-[0-9a-f]{48}$/);
    expect(generateLocalApiKey()).not.toBe(a);
  });
});

describe('parseApiKeys: scopes', () => {
  it('reads key:tenant:scope+scope, keeps key:tenant as chat-only, allows ":" in keys', () => {
    expect(parseApiKeys('sk-a:acme:ops:read+ops:write,sk-b:globex,sk:c:initech:admin,sk-d:acme:chat+ops:read').entries).toEqual([
      { key: 'sk-a', tenant: 'acme', scopes: ['ops:read', 'ops:write'] },
      { key: 'sk-b', tenant: 'globex' },
      { key: 'sk:c', tenant: 'initech', scopes: ['admin'] },
      { key: 'sk-d', tenant: 'acme', scopes: ['chat', 'ops:read'] },
    ]);
  });
  it('names an unknown scope', () => {
    expect(parseApiKeys('sk-a:acme:chat+root').problems).toEqual(['entry 1: unknown scope "root" (scopes: chat, ops:read, ops:write, admin)']);
  });
  it('authenticates the caller with its scopes; no scope list = chat', () => {
    const auth = createApiKeyAuth(parseApiKeys('sk-a:acme:ops:read,sk-b:globex').entries);
    expect(auth.callerFor('sk-a')).toEqual({ tenant: 'acme', scopes: new Set(['ops:read']), keyId: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(auth.callerFor('sk-b')).toMatchObject({ tenant: 'globex', scopes: new Set(['chat']) });
    expect(auth.callerFor('nope')).toBeUndefined();
  });
});

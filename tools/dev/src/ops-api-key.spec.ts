import { firstOpsApiKey } from './ops-api-key.ts';

describe('firstOpsApiKey', () => {
  it('skips keys without an ops scope and returns the first that has one', () => {
    expect(firstOpsApiKey('k-chat:acme,k-read:acme:chat+ops:read,k-admin:root:admin')).toBe('k-read');
    expect(firstOpsApiKey('k-chat:acme:chat, k-admin:root:admin')).toBe('k-admin');
    expect(firstOpsApiKey('k-write:acme:ops:write')).toBe('k-write');
  });

  it('answers undefined when no key may use the operator API', () => {
    expect(firstOpsApiKey('k1:acme,k2:globex:chat')).toBeUndefined();
    expect(firstOpsApiKey('')).toBeUndefined();
  });
});

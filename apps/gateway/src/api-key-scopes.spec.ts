import { ConnectError } from '@connectrpc/connect';
import { hasScope, requireScope, tenantInScope, type Caller, type Scope } from './api-key-scopes.ts';

const caller = (...scopes: Scope[]): Caller => ({ tenant: 'acme', scopes: new Set(scopes) });

describe('scopes', () => {
  it.each([
    [['chat'], 'chat', true],
    [['chat'], 'ops:read', false],
    [['ops:read'], 'ops:write', false],
    [['ops:write'], 'ops:read', true],
    [['ops:write'], 'chat', false],
    [['admin'], 'ops:write', true],
    [['admin'], 'chat', true],
  ] as const)('%j has %s: %s', (scopes, scope, expected) => {
    expect(hasScope(caller(...scopes), scope)).toBe(expected);
  });

  it('PERMISSION_DENIED names the missing scope', () => {
    expect(() => requireScope(caller('ops:read'), 'ops:write')).toThrow(new ConnectError('this API key lacks scope ops:write', 7));
  });

  it('a tenant key acts on its own tenant only; admin on any, or everyone', () => {
    expect(tenantInScope(caller('ops:read'), undefined)).toBe('acme');
    expect(tenantInScope(caller('ops:read'), 'acme')).toBe('acme');
    expect(() => tenantInScope(caller('ops:write'), 'globex')).toThrow(/lacks scope admin to act on tenant globex/);
    expect(tenantInScope(caller('admin'), 'globex')).toBe('globex');
    expect(tenantInScope(caller('admin'), undefined, { everyoneForAdmin: true })).toBeUndefined();
  });
});

import { Role } from '@sophia/contracts/common';
import { promptFingerprint } from './prompt-fingerprint.ts';

describe('promptFingerprint', () => {
  it('fingerprints the prompt, not the request id or tenant; another question or workload is another print', () => {
    const a = promptFingerprint({ requestId: 'r1', tenant: 'acme', messages: [{ role: Role.USER, content: 'daily report' }] });
    expect(promptFingerprint({ requestId: 'r2', tenant: 'globex', messages: [{ role: Role.USER, content: 'daily report' }] })).toBe(a);
    expect(promptFingerprint({ messages: [{ role: Role.USER, content: 'weekly report' }] })).not.toBe(a);
    expect(promptFingerprint({ workloadTag: 'x', messages: [{ role: Role.USER, content: 'daily report' }] })).not.toBe(a);
  });
});

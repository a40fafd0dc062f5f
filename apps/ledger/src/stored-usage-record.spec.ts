import { decodeStoredRecord, encodeStoredRecord } from './stored-usage-record.ts';
import { usageRecord } from './usage-store-contract.ts';

describe('stored usage records', () => {
  it('round-trips a record', () => {
    const record = usageRecord({ requestId: 'r|1', workloadTag: 'batch', fallback: true });
    expect(decodeStoredRecord('k', encodeStoredRecord(record))).toEqual(record);
  });

  it.each([
    ['{', 'not JSON'],
    ['[]', 'not an object'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), costMicroUsd: -1 }), 'costMicroUsd'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), promptTokens: 1.5 }), 'promptTokens'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), tenant: 3 }), 'tenant'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), backend: 'tpu' }), 'backend'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), tier: 'huge' }), 'tier'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), completed: 'yes' }), 'completed'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), extra: 1 }), 'unexpected fields'],
  ])('rejects %s naming the problem', (json, problem) => {
    expect(() => decodeStoredRecord('ledger:event:r', json)).toThrow(`corrupt usage event at ledger:event:r: ${problem}`);
  });
});

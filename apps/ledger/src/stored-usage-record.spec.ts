import { decodeStoredRecord, encodeStoredRecord } from './stored-usage-record.ts';
import { usageRecord } from './usage-store-contract.ts';

describe('stored usage records', () => {
  it('round-trips a record', () => {
    const record = usageRecord({ requestId: 'r|1', workloadTag: 'batch', fallback: true });
    expect(decodeStoredRecord('k', encodeStoredRecord(record))).toEqual(record);
  });

  it('round-trips an api key and omits an empty one', () => {
    const keyed = usageRecord({ requestId: 'r', apiKey: 'k1' });
    expect(decodeStoredRecord('k', encodeStoredRecord(keyed))).toEqual(keyed);
    expect(JSON.parse(encodeStoredRecord(usageRecord({ requestId: 'r', apiKey: '' })))).not.toHaveProperty('apiKey');
  });

  it('round-trips the answering provider and omits an empty one', () => {
    const served = usageRecord({ requestId: 'r', provider: 'deepinfra', apiKey: 'k1' });
    expect(decodeStoredRecord('k', encodeStoredRecord(served))).toEqual(served);
    expect(JSON.parse(encodeStoredRecord(usageRecord({ requestId: 'r', provider: '' })))).not.toHaveProperty('provider');
  });

  it('round-trips a cache hit\'s saved cost (an upstream answer has none)', () => {
    const hit = usageRecord({ requestId: 'r', costMicroUsd: 0, cacheSavedMicroUsd: 45 });
    expect(decodeStoredRecord('k', encodeStoredRecord(hit))).toEqual(hit);
    expect(JSON.parse(encodeStoredRecord(usageRecord({ requestId: 'r' })))).not.toHaveProperty('cacheSavedMicroUsd');
  });

  it.each([
    ['{', 'not JSON'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), cacheSavedMicroUsd: -3 }), 'cacheSavedMicroUsd'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), provider: 7 }), 'provider'],
    ['[]', 'not an object'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), costMicroUsd: -1 }), 'costMicroUsd'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), promptTokens: 1.5 }), 'promptTokens'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), tenant: 3 }), 'tenant'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), backend: 'tpu' }), 'backend'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), tier: 'huge' }), 'tier'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), completed: 'yes' }), 'completed'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), extra: 1 }), 'unexpected fields'],
    [JSON.stringify({ ...usageRecord({ requestId: 'r' }), apiKey: 5 }), 'apiKey'],
  ])('rejects %s naming the problem', (json, problem) => {
    expect(() => decodeStoredRecord('ledger:event:r', json)).toThrow(`corrupt usage event at ledger:event:r: ${problem}`);
  });
});

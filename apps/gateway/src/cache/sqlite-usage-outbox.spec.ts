import { memoryStateDatabase } from '@sophia/state-store/testing';
import type { StateDatabase } from '@sophia/state-store';
import { usageOutboxContract } from './usage-outbox-contract.ts';
import { createSqliteUsageOutbox, USAGE_OUTBOX_SCHEMA, type UsageOutbox } from './usage-outbox.ts';

describe('sqlite usage outbox', () => {
  let state: StateDatabase;
  let outbox: UsageOutbox;
  beforeEach(() => {
    state = memoryStateDatabase(USAGE_OUTBOX_SCHEMA);
    outbox = createSqliteUsageOutbox(state.db);
  });
  afterEach(() => state.close());
  usageOutboxContract(() => outbox);

  it('hands entries out oldest first', async () => {
    for (const id of ['c', 'a', 'b']) await outbox.add({ requestId: id, event: new Uint8Array([1]) });
    expect((await outbox.head(3)).map((e) => e.requestId)).toEqual(['c', 'a', 'b']);
  });
});

// A cache hit's usage is kept before the hit is served and reaches the ledger exactly when the
// ledger can take it: an outage leaves it in the outbox, replayed when the ledger is back.
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { GenerateDoneSchema, RouteInputSchema } from '@sophia/contracts/router';
import type { LedgerService, RecordUsageRequest } from '@sophia/contracts/ledger';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import type { StateDatabase } from '@sophia/state-store';
import { pino } from 'pino';
import { createCacheHitRecorder, type CacheHitRecorder } from './cache-hit-recorder.ts';
import type { CacheHit } from './cached-router.ts';
import { createSqliteUsageOutbox, USAGE_OUTBOX_SCHEMA, type UsageOutbox } from './usage-outbox.ts';

const hit = (requestId: string): CacheHit => ({
  input: create(RouteInputSchema, { requestId, tenant: 'acme' }),
  original: create(GenerateDoneSchema, { usage: { promptTokens: 3, completionTokens: 2 }, decision: { model: 'small', cost: { microUsd: 42n } } }),
});

/** A ledger whose RecordUsage answers UNAVAILABLE while `down`, and remembers what it took. */
function fakeLedger() {
  const taken: RecordUsageRequest[] = [];
  const state = { down: false, refuse: false };
  const ledger = {
    recordUsage: (request: RecordUsageRequest) => {
      if (state.down) return Promise.reject(new ConnectError('ledger restarting', Code.Unavailable));
      if (state.refuse) return Promise.reject(new ConnectError('bad event', Code.InvalidArgument));
      taken.push(request);
      return Promise.resolve({ recorded: true });
    },
  } as unknown as Client<typeof LedgerService>;
  return { ledger, taken, state };
}

const until = async (check: () => Promise<boolean> | boolean): Promise<void> => {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('cache hit recorder', () => {
  let state: StateDatabase;
  let outbox: UsageOutbox;
  let recorder: CacheHitRecorder | undefined;
  beforeEach(() => {
    state = memoryStateDatabase(USAGE_OUTBOX_SCHEMA);
    outbox = createSqliteUsageOutbox(state.db);
  });
  afterEach(() => {
    recorder?.close();
    state.close();
  });

  it('hands a hit to the ledger, flagged and billed at the stored answer, and leaves nothing behind', async () => {
    const { ledger, taken } = fakeLedger();
    recorder = createCacheHitRecorder({ ledger, outbox, logger: pino({ level: 'silent' }), retryMs: 10 });
    await recorder.record(hit('r1'));
    await until(() => taken.length === 1);
    expect(taken[0]!.event).toMatchObject({ requestId: 'r1', tenant: 'acme', model: 'small', cacheHit: true, usage: { promptTokens: 3, completionTokens: 2 } });
    await until(async () => (await outbox.head(10)).length === 0);
  });

  it('keeps hits through a ledger outage and replays each once the ledger is back', async () => {
    const { ledger, taken, state: ledgerState } = fakeLedger();
    ledgerState.down = true;
    recorder = createCacheHitRecorder({ ledger, outbox, logger: pino({ level: 'silent' }), retryMs: 10 });
    await recorder.record(hit('r1'));
    await recorder.record(hit('r2'));
    expect((await outbox.head(10)).map((e) => e.requestId)).toEqual(['r1', 'r2']);
    ledgerState.down = false;
    await until(() => taken.length === 2);
    expect(taken.map((t) => t.event?.requestId).sort()).toEqual(['r1', 'r2']);
    await until(async () => (await outbox.head(10)).length === 0);
  });

  it('replays what an earlier run left in the outbox', async () => {
    const { ledger, taken, state: ledgerState } = fakeLedger();
    ledgerState.down = true;
    const first = createCacheHitRecorder({ ledger, outbox, logger: pino({ level: 'silent' }), retryMs: 10 });
    await first.record(hit('r1'));
    first.close();
    ledgerState.down = false;
    recorder = createCacheHitRecorder({ ledger, outbox, logger: pino({ level: 'silent' }), retryMs: 10 });
    await until(() => taken.length === 1);
    expect(taken[0]!.event?.requestId).toBe('r1');
  });

  it('drops a record the ledger refuses for good (logged), instead of retrying it forever', async () => {
    const { ledger, taken, state: ledgerState } = fakeLedger();
    ledgerState.refuse = true;
    recorder = createCacheHitRecorder({ ledger, outbox, logger: pino({ level: 'silent' }), retryMs: 10 });
    await recorder.record(hit('r1'));
    await until(async () => (await outbox.head(10)).length === 0);
    expect(taken).toEqual([]);
  });

  it('rejects when the outbox cannot keep the record, so the hit is not served', async () => {
    const { ledger } = fakeLedger();
    const broken: UsageOutbox = { ...outbox, add: () => Promise.reject(new Error('disk full')) };
    recorder = createCacheHitRecorder({ ledger, outbox: broken, logger: pino({ level: 'silent' }) });
    await expect(recorder.record(hit('r1'))).rejects.toThrow('disk full');
  });
});

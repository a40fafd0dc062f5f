import { openDataDir, type StateDatabase } from '@sophia/state-store';
import { memoryStateDatabase, tempDataDir } from '@sophia/state-store/testing';
import { budgetStoreContract } from './budget-store-contract.ts';
import { tenantScope } from './budget-store.ts';
import { LEDGER_SCHEMA } from './ledger-schema.ts';
import { createSqliteUsageStore, type SqliteUsageStore } from './sqlite-usage-store.ts';
import { memoryLedgerStore } from './testing/memory-ledger-store.ts';
import { T0, usageRecord, usageStoreContract } from './usage-store-contract.ts';

const DAY = 86_400_000;

describe('createSqliteUsageStore', () => {
  let store: SqliteUsageStore;
  beforeEach(() => {
    store = memoryLedgerStore();
  });

  usageStoreContract(() => store);
  describe('budgets', () => budgetStoreContract(() => store));

  it('counts each id once under concurrent records', async () => {
    const outcomes = await Promise.all(Array.from({ length: 300 }, (_, i) => store.record(usageRecord({ requestId: `r${i % 100}`, costMicroUsd: 3 }))));
    expect(outcomes.filter((o) => o.recorded)).toHaveLength(100);
    expect((await store.query({ startMs: 0, endMs: T0 + 1, groupBy: [] })).total).toMatchObject({ requests: 100n, costMicroUsd: 300n });
  });

  it('logs each new event and audit entry once, in order, until acknowledged', async () => {
    await store.record(usageRecord({ requestId: 'a' }));
    await store.record(usageRecord({ requestId: 'a' }));
    await store.appendAudit({ auditId: 'x1', timeMs: T0, actor: 'ops', action: 'set_budget', subject: 'acme', details: '{}' });
    await store.record(usageRecord({ requestId: 'b' }));
    const entries = await store.log.read(10, 0);
    expect(entries.map((e) => (e.kind === 'usage' ? e.record.requestId : e.audit.auditId))).toEqual(['a', 'x1', 'b']);
    expect(await store.log.backlog()).toBe(3);
    await store.log.ack(entries.slice(0, 2).map((e) => e.id));
    expect((await store.log.read(10, 0)).map((e) => e.id)).toEqual([entries[2]?.id]);
  });

  it('acknowledges a record, an audit entry and a limit only after the durability point; reservations do not wait for it', async () => {
    let flush: () => void = () => undefined;
    let flushes = 0;
    const grouped = memoryLedgerStore({
      durable: () =>
        new Promise<void>((resolve) => {
          flushes += 1;
          flush = resolve;
        }),
    });
    const acked: string[] = [];
    const reserved = await grouped.reserve({ tenant: 'acme', reservationId: 'r1', amountMicroUsd: 5, nowMs: T0, ttlMs: 60_000 });
    expect(reserved.granted).toBe(true);
    expect(flushes).toBe(0);
    const recording = grouped.record(usageRecord({ requestId: 'r1' })).then(() => acked.push('record'));
    await new Promise((r) => setImmediate(r));
    expect(flushes).toBe(1);
    expect(acked).toEqual([]);
    flush();
    await recording;
    expect(acked).toEqual(['record']);
    const audit = grouped.appendAudit({ auditId: 'a1', timeMs: T0, actor: 'ops', action: 'budget.set', subject: 'acme', details: '{}' }).then(() => acked.push('audit'));
    await new Promise((r) => setImmediate(r));
    expect(acked).toEqual(['record']);
    flush();
    await audit;
    const limit = grouped.setLimit(tenantScope('acme'), 'day', 10).then(() => acked.push('limit'));
    await new Promise((r) => setImmediate(r));
    expect(acked).toEqual(['record', 'audit']);
    flush();
    await limit;
    expect(acked).toEqual(['record', 'audit', 'limit']);
  });

  it('keeps no calibration sample of a record whose transaction rolled back', async () => {
    const db = memoryStateDatabase(LEDGER_SCHEMA).db;
    const own = createSqliteUsageStore(db);
    await own.reserve({ tenant: 'acme', reservationId: 'c1', amountMicroUsd: 10, nowMs: T0, ttlMs: 60_000, model: 'small', promptEstimate: 100 });
    expect((await own.promptCalibration('small')).samples).toBe(0);
    // The log append, the record's last step, fails: the event, spend and sample all roll back.
    db.exec("CREATE TRIGGER refuse_log BEFORE INSERT ON ledger_log BEGIN SELECT RAISE(ABORT, 'log refused'); END");
    await expect(own.record(usageRecord({ requestId: 'c1', promptTokens: 130 }))).rejects.toThrow('log refused');
    expect(await own.promptCalibration('small')).toEqual({ samples: 0, maxRatioMilli: 0, maxExcessTokens: 0 });
    db.exec('DROP TRIGGER refuse_log');
    await own.record(usageRecord({ requestId: 'c1', promptTokens: 130 }));
    expect(await own.promptCalibration('small')).toEqual({ samples: 1, maxRatioMilli: 1300, maxExcessTokens: 30 });
  });

  it('wakes a blocked log read when a record commits', async () => {
    const reading = store.log.read(10, 60_000);
    await store.record(usageRecord({ requestId: 'late' }));
    expect(await reading).toHaveLength(1);
  });

  it('prunes raw events past the retention window (and their idempotency keys), keeping whole-day reports from roll-ups', async () => {
    await store.record(usageRecord({ requestId: 'old', timeMs: T0 + 5, costMicroUsd: 7 }));
    await store.record(usageRecord({ requestId: 'new', timeMs: T0 + 3 * DAY, costMicroUsd: 11 }));
    expect(store.prune(T0 + 3 * DAY, 2 * DAY)).toBe(1);
    const seen: bigint[] = [];
    await store.scan(0, T0 + 4 * DAY, undefined, (s) => seen.push(s.costMicroUsd));
    expect(seen).toEqual([11n]);
    expect((await store.query({ startMs: T0, endMs: T0 + 4 * DAY, groupBy: ['day'] })).rows.map((r) => [r.keys, r.costMicroUsd])).toEqual([
      [['2026-11-26'], 7n],
      [['2026-11-29'], 11n],
    ]);
  });
});

describe('the SQLite ledger store across a restart', () => {
  let temp: ReturnType<typeof tempDataDir>;
  let opened: StateDatabase | undefined;
  beforeEach(() => {
    temp = tempDataDir();
  });
  afterEach(() => {
    opened?.close();
    temp.remove();
  });
  const open = (): SqliteUsageStore => {
    opened?.close();
    opened = openDataDir({ dataDir: temp.dir }, [LEDGER_SCHEMA]);
    return createSqliteUsageStore(opened.db);
  };

  it('keeps usage, limits, spend, unexpired reservations and the unacknowledged log; expired reservations are released', async () => {
    const before = open();
    const acme = tenantScope('acme');
    await before.setLimit(acme, 'day', 1000);
    await before.record(usageRecord({ requestId: 'r1', costMicroUsd: 100 }));
    await before.reserve({ tenant: 'acme', reservationId: 'live', amountMicroUsd: 200, nowMs: T0, ttlMs: 60_000 });
    await before.reserve({ tenant: 'acme', reservationId: 'stale', amountMicroUsd: 300, nowMs: T0 - 60_000, ttlMs: 1000 });

    const after = open();
    expect((await after.status(acme, T0))[0]).toMatchObject({ limitMicroUsd: 1000, spentMicroUsd: 100, reservedMicroUsd: 200 });
    expect((await after.record(usageRecord({ requestId: 'r1', costMicroUsd: 100 }))).recorded).toBe(false);
    expect((await after.query({ startMs: 0, endMs: T0 + 1, groupBy: [] })).total.requests).toBe(1n);
    expect((await after.log.read(10, 0)).map((e) => e.kind)).toEqual(['usage']);
    expect(await after.release('acme', 'live')).toBe(true);
  });
});

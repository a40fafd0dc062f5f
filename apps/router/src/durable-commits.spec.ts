import { Code, ConnectError, type Client } from '@connectrpc/connect';
import type { LedgerService } from '@sophia/contracts/ledger';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { COMMIT_OUTBOX_SCHEMA, createCommitOutbox } from './commit-outbox.ts';
import { withDurableCommits } from './durable-commits.ts';
import { budgetOutageCause } from '@sophia/platform/wire';

const logger = { warn: () => undefined, error: () => undefined, info: () => undefined };
const commitOf = (id: string) => ({ reservationId: id, event: { requestId: id, tenant: 't', model: 'm' } });

/** A ledger that is down until `up` is set, and records commits idempotently by request id. */
function fakeLedger() {
  const recorded = new Map<string, number>();
  const state = { up: false, refuse: new Set<string>() };
  const ledger = {
    commit: async (req: { event?: { requestId?: string } }) => {
      const id = req.event?.requestId ?? '';
      if (!state.up) throw new ConnectError('connect ECONNREFUSED', Code.Unavailable);
      if (state.refuse.has(id)) throw new ConnectError('event.model: unknown', Code.InvalidArgument);
      const first = !recorded.has(id);
      recorded.set(id, (recorded.get(id) ?? 0) + 1);
      return { recorded: first };
    },
    queryUsage: async () => ({ marker: 'passed through' }),
  } as unknown as Client<typeof LedgerService>;
  return { ledger, recorded, state };
}

describe('withDurableCommits', () => {
  it('keeps commits the ledger cannot take in the outbox and replays each exactly once when it returns', async () => {
    const { db } = memoryStateDatabase(COMMIT_OUTBOX_SCHEMA);
    const outbox = createCommitOutbox(db);
    const fake = fakeLedger();
    const durable = withDurableCommits({ ledger: fake.ledger, outbox, logger, retryMs: 10 });
    try {
      await expect(durable.ledger.commit(commitOf('a'))).resolves.toMatchObject({ recorded: true });
      await expect(durable.ledger.commit(commitOf('b'))).resolves.toMatchObject({ recorded: true });
      await durable.ledger.commit(commitOf('a'));
      expect(outbox.size()).toBe(2);
      fake.state.up = true;
      while (outbox.size() > 0) await new Promise((r) => setTimeout(r, 10));
      expect([...fake.recorded.entries()]).toEqual([['a', 1], ['b', 1]]);
      expect(await (durable.ledger as unknown as { queryUsage(): Promise<unknown> }).queryUsage()).toEqual({ marker: 'passed through' });
    } finally {
      durable.close();
    }
  });

  it('refuses a commit neither the ledger nor the outbox can keep (disk full) with the store-full outage, not a success', async () => {
    const { db } = memoryStateDatabase(COMMIT_OUTBOX_SCHEMA);
    const outbox = createCommitOutbox(db);
    const fake = fakeLedger();
    const durable = withDurableCommits({ ledger: fake.ledger, outbox, logger, retryMs: 10 });
    try {
      // The outbox's file cannot grow: SQLite's own SQLITE_FULL, as on a full disk.
      db.exec(`PRAGMA max_page_count = ${(db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count}`);
      const big = { ...commitOf('x'), event: { ...commitOf('x').event, workloadTag: 'w'.repeat(20_000) } };
      const error = await durable.ledger.commit(big).then(() => undefined, (e: unknown) => ConnectError.from(e));
      expect(error?.code).toBe(Code.Unavailable);
      expect(budgetOutageCause(error)).toBe('store-full');
      expect(error?.rawMessage).toContain("usage of request x cannot be recorded: the ledger did not take it (connect ECONNREFUSED) and the router's commit outbox cannot keep it (database or disk is full)");
      expect(outbox.size()).toBe(0);
    } finally {
      durable.close();
    }
  });

  it('refuses a commit the outbox cannot keep for another reason (read-only store) with the store-failed outage, not store-full', async () => {
    const { db } = memoryStateDatabase(COMMIT_OUTBOX_SCHEMA);
    const outbox = createCommitOutbox(db);
    const fake = fakeLedger();
    const durable = withDurableCommits({ ledger: fake.ledger, outbox, logger, retryMs: 10 });
    try {
      db.exec('PRAGMA query_only = 1');
      const error = await durable.ledger.commit(commitOf('y')).then(() => undefined, (e: unknown) => ConnectError.from(e));
      expect(error?.code).toBe(Code.Unavailable);
      expect(budgetOutageCause(error)).toBe('store-failed');
      expect(error?.rawMessage).toContain("usage of request y cannot be recorded: the ledger did not take it (connect ECONNREFUSED) and the router's commit outbox cannot keep it");
      db.exec('PRAGMA query_only = 0');
      expect(outbox.size()).toBe(0);
    } finally {
      durable.close();
    }
  });

  it('passes a refusal by the ledger to the caller, and drops a refused replay instead of retrying it forever', async () => {
    const { db } = memoryStateDatabase(COMMIT_OUTBOX_SCHEMA);
    const outbox = createCommitOutbox(db);
    const fake = fakeLedger();
    const durable = withDurableCommits({ ledger: fake.ledger, outbox, logger, retryMs: 10 });
    try {
      fake.state.up = true;
      fake.state.refuse.add('bad');
      await expect(durable.ledger.commit(commitOf('bad'))).rejects.toMatchObject({ code: Code.InvalidArgument });
      expect(outbox.size()).toBe(0);
      fake.state.up = false;
      await durable.ledger.commit(commitOf('bad'));
      await durable.ledger.commit(commitOf('good'));
      fake.state.up = true;
      while (outbox.size() > 0) await new Promise((r) => setTimeout(r, 10));
      expect([...fake.recorded.keys()]).toEqual(['good']);
    } finally {
      durable.close();
    }
  });

  it('replays what a previous run left in the outbox', async () => {
    const { db } = memoryStateDatabase(COMMIT_OUTBOX_SCHEMA);
    const fake = fakeLedger();
    const first = withDurableCommits({ ledger: fake.ledger, outbox: createCommitOutbox(db), logger, retryMs: 10 });
    await first.ledger.commit(commitOf('left-over'));
    first.close();
    fake.state.up = true;
    const outbox = createCommitOutbox(db);
    const second = withDurableCommits({ ledger: fake.ledger, outbox, logger, retryMs: 10 });
    try {
      while (outbox.size() > 0) await new Promise((r) => setTimeout(r, 10));
      expect(fake.recorded.get('left-over')).toBe(1);
    } finally {
      second.close();
    }
  });
});

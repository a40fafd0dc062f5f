import { openDataDir } from '@sophia/state-store';
import { memoryStateDatabase, tempDataDir } from '@sophia/state-store/testing';
import { breakerHistoryContract, CONTRACT_RETENTION, transition } from './breaker-history-contract.ts';
import type { BreakerHistory } from './breaker-history.ts';
import { BREAKER_HISTORY_SCHEMA } from './breaker-history-schema.ts';
import { createSqliteBreakerHistory } from './sqlite-breaker-history.ts';

const fail = (err: Error): never => {
  throw err;
};

describe('sqlite breaker history', () => {
  let store: BreakerHistory;
  beforeEach(() => {
    store = createSqliteBreakerHistory(memoryStateDatabase(BREAKER_HISTORY_SCHEMA).db, CONTRACT_RETENTION, fail);
  });
  breakerHistoryContract(() => store);

  it('keeps the transitions across a restart of the router', async () => {
    const temp = tempDataDir();
    try {
      const now = Date.now();
      let state = openDataDir({ dataDir: temp.dir }, [BREAKER_HISTORY_SCHEMA]);
      createSqliteBreakerHistory(state.db, CONTRACT_RETENTION, fail).record(transition('serverless:m', now - 5));
      state.close();
      state = openDataDir({ dataDir: temp.dir }, [BREAKER_HISTORY_SCHEMA]);
      expect(await createSqliteBreakerHistory(state.db, CONTRACT_RETENTION, fail).recent(10, now)).toEqual([transition('serverless:m', now - 5)]);
      state.close();
    } finally {
      temp.remove();
    }
  });

  it('skips a damaged row and reports a failed write instead of throwing', async () => {
    const { db } = memoryStateDatabase(BREAKER_HISTORY_SCHEMA);
    const errors: Error[] = [];
    const history = createSqliteBreakerHistory(db, CONTRACT_RETENTION, (e) => errors.push(e));
    const now = Date.now();
    db.prepare("INSERT INTO router_breaker_transitions (target, from_state, to_state, at_ms) VALUES ('x', 'sideways', 'open', ?)").run(now);
    history.record(transition('y', now));
    expect((await history.recent(10, now)).map((t) => t.target)).toEqual(['y']);
    db.exec('DROP TABLE router_breaker_transitions');
    expect(() => history.record(transition('z', now))).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});

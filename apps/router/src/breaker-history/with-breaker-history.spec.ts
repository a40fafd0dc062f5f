import { createClient, createRouterTransport } from '@connectrpc/connect';
import { BreakerState, RouterService } from '@sophia/contracts/router';
import type { ServiceImpl } from '@connectrpc/connect';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { BREAKER_HISTORY_SCHEMA } from './breaker-history-schema.ts';
import type { BreakerHistory } from './breaker-history.ts';
import { createSqliteBreakerHistory } from './sqlite-breaker-history.ts';
import { withBreakerHistory } from './with-breaker-history.ts';

/** A router handler with only the live breaker view (the rest is never called here). */
const live = { getBreakers: () => ({ breakers: [{ target: 'gpu:m', state: BreakerState.OPEN }] }) } as unknown as ServiceImpl<typeof RouterService>;

function client(history: BreakerHistory, onError: (e: Error) => void = () => undefined) {
  const handler = withBreakerHistory(live, history, onError);
  return createClient(RouterService, createRouterTransport(({ service }) => service(RouterService, handler)));
}

describe('GetBreakers with the breaker history', () => {
  it('answers the live states and the recorded transitions, newest first, over the wire', async () => {
    const history = createSqliteBreakerHistory(memoryStateDatabase(BREAKER_HISTORY_SCHEMA).db, { maxAgeMs: 86_400_000, maxEntries: 1000 }, (e) => {
      throw e;
    });
    const now = Date.now();
    history.record({ target: 'gpu:m', from: 'closed', to: 'open', atMs: now - 2000 });
    history.record({ target: 'gpu:m', from: 'open', to: 'half_open', atMs: now - 1000 });
    const res = await client(history).getBreakers({});
    expect(res.breakers.map((b) => [b.target, b.state])).toEqual([['gpu:m', BreakerState.OPEN]]);
    expect(res.transitions.map((t) => [t.target, t.from, t.to, Number(t.at?.seconds)])).toEqual([
      ['gpu:m', BreakerState.OPEN, BreakerState.HALF_OPEN, Math.floor((now - 1000) / 1000)],
      ['gpu:m', BreakerState.CLOSED, BreakerState.OPEN, Math.floor((now - 2000) / 1000)],
    ]);
  });

  it('still answers the live states when the history cannot be read, and says why', async () => {
    const errors: Error[] = [];
    const broken: BreakerHistory = { record: () => undefined, recent: () => Promise.reject(new Error('disk I/O error')) };
    const res = await client(broken, (e) => errors.push(e)).getBreakers({});
    expect(res.breakers).toHaveLength(1);
    expect(res.transitions).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual(['disk I/O error']);
  });
});

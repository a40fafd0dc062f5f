// Behaviour every BreakerHistory must have, run against the SQLite store and a real Redis: newest
// first, the read limit, retention by age and by count, damaged entries skipped.
import type { BreakerHistory, BreakerTransitionRecord } from './breaker-history.ts';

/** Retention the contract's stores are created with. */
export const CONTRACT_RETENTION = { maxAgeMs: 60_000, maxEntries: 5 } as const;

/** A transition of `target` at `atMs` (closed → open unless told). */
export function transition(target: string, atMs: number, extra: Partial<BreakerTransitionRecord> = {}): BreakerTransitionRecord {
  return { target, from: 'closed', to: 'open', atMs, ...extra };
}

/** Registers the contract tests; `store()` returns a fresh, empty history with CONTRACT_RETENTION. `settle` waits for writes. */
export function breakerHistoryContract(store: () => BreakerHistory, settle: () => Promise<void> = async () => undefined): void {
  it('returns what was recorded, newest first, up to the limit', async () => {
    const now = Date.now();
    store().record(transition('gpu:m', now - 3000));
    store().record(transition('gpu:m', now - 2000, { from: 'open', to: 'half_open' }));
    store().record(transition('gpu:m', now - 1000, { from: 'half_open', to: 'closed' }));
    await settle();
    expect(await store().recent(10, now)).toEqual([
      transition('gpu:m', now - 1000, { from: 'half_open', to: 'closed' }),
      transition('gpu:m', now - 2000, { from: 'open', to: 'half_open' }),
      transition('gpu:m', now - 3000),
    ]);
    expect((await store().recent(2, now)).map((t) => t.atMs)).toEqual([now - 1000, now - 2000]);
  });

  it('keeps only the newest maxEntries', async () => {
    const now = Date.now();
    for (let i = 0; i < 8; i++) store().record(transition(`t${i}`, now - 8000 + i * 1000));
    await settle();
    expect((await store().recent(100, now)).map((t) => t.target)).toEqual(['t7', 't6', 't5', 't4', 't3']);
  });

  it('drops transitions older than maxAgeMs', async () => {
    const now = Date.now();
    store().record(transition('old', now - CONTRACT_RETENTION.maxAgeMs - 1));
    store().record(transition('new', now - 10));
    await settle();
    expect((await store().recent(100, now)).map((t) => t.target)).toEqual(['new']);
  });

  it('is empty before anything happened', async () => {
    expect(await store().recent(100, Date.now())).toEqual([]);
  });
}

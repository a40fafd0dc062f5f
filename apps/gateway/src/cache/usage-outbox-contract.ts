// The behaviour every UsageOutbox must have, run against the embedded file and real Redis.
import type { UsageOutbox } from './usage-outbox.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Registers the contract tests; `outbox()` is a fresh, empty outbox for the current test. */
export function usageOutboxContract(outbox: () => UsageOutbox): void {
  it('keeps each entry until removed, the first of a request id standing', async () => {
    expect(await outbox().head(10)).toEqual([]);
    await outbox().add({ requestId: 'r1', event: bytes('one') });
    await outbox().add({ requestId: 'r2', event: bytes('two') });
    await outbox().add({ requestId: 'r1', event: bytes('again') });
    const kept = await outbox().head(10);
    expect(kept.map((e) => [e.requestId, new TextDecoder().decode(e.event)]).sort()).toEqual([
      ['r1', 'one'],
      ['r2', 'two'],
    ]);
    await outbox().remove('r1');
    expect((await outbox().head(10)).map((e) => e.requestId)).toEqual(['r2']);
    await outbox().remove('r2');
    await outbox().remove('never-there');
    expect(await outbox().head(10)).toEqual([]);
  });

  it('hands out at most `limit` entries at a time', async () => {
    for (let i = 0; i < 5; i++) await outbox().add({ requestId: `r${i}`, event: bytes(String(i)) });
    expect((await outbox().head(2)).length).toBeLessThanOrEqual(2);
    expect((await outbox().head(2)).length).toBeGreaterThan(0);
  });
}

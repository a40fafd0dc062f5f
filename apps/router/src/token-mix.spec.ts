import { createClient, createRouterTransport, Code, ConnectError } from '@connectrpc/connect';
import { Dimension, LedgerService, type QueryUsageRequest } from '@sophia/contracts/ledger';
import { pino } from 'pino';
import { createLedgerTokenMix } from './token-mix.ts';

type Row = [tenant: string, workload: string, requests: number, completionTokens: number, promptTokens?: number, cachedPromptTokens?: number];

/** A ledger whose QueryUsage answers `rows()` (or fails while `down`), recording each request. */
function fakeLedger(rows: () => Row[]) {
  const asked: QueryUsageRequest[] = [];
  let down = false;
  const transport = createRouterTransport(({ service }) =>
    service(LedgerService, {
      queryUsage(req) {
        asked.push(req);
        if (down) throw new ConnectError('ledger down', Code.Unavailable);
        return {
          groupBy: req.groupBy,
          rows: rows().map(([t, w, requests, completionTokens, promptTokens = 0, cachedPromptTokens = 0]) => ({
            keys: [t, w],
            requests: BigInt(requests),
            completionTokens: BigInt(completionTokens),
            promptTokens: BigInt(promptTokens),
            cachedPromptTokens: BigInt(cachedPromptTokens),
          })),
        };
      },
    }),
  );
  return { client: createClient(LedgerService, transport), asked, setDown: (d: boolean) => void (down = d) };
}

const logger = pino({ level: 'silent' });

describe('createLedgerTokenMix', () => {
  it('answers each tenant×workload’s mean completion tokens, the tenant’s whole traffic for a thin workload, nothing for an unknown tenant', async () => {
    const ledger = fakeLedger(() => [
      ['acme', 'support-bot', 100, 4000], // 40 per request
      ['acme', 'report-writer', 50, 100_000], // 2,000 per request
      ['acme', 'rare', 5, 50_000], // too few requests for its own mean
      ['globex', '', 10, 100], // too few in total
    ]);
    const now = 1_000_000;
    const mix = createLedgerTokenMix({ ledger: ledger.client, logger, clock: () => now, windowMs: 86_400_000 });
    expect(mix.expectedCompletionTokens('acme', 'support-bot')).toBeUndefined(); // before the first load: unknown, never waited for
    await mix.refresh();
    expect(ledger.asked[0]!.groupBy).toEqual([Dimension.TENANT, Dimension.WORKLOAD_TAG]);
    expect(Number(ledger.asked[0]!.start!.seconds)).toBe((now - 86_400_000) / 1000);
    expect(mix.expectedCompletionTokens('acme', 'support-bot')).toBe(40);
    expect(mix.expectedCompletionTokens('acme', 'report-writer')).toBe(2000);
    expect(mix.expectedCompletionTokens('acme', 'rare')).toBe(Math.round(154_000 / 155));
    expect(mix.expectedCompletionTokens('globex', '')).toBeUndefined();
    expect(mix.expectedCompletionTokens('initech', 'x')).toBeUndefined();
  });

  it('answers the share of prompt tokens served from providers’ prompt caches, per tenant×workload, the tenant’s whole traffic for a thin workload', async () => {
    const ledger = fakeLedger(() => [
      ['acme', 'agent', 100, 4000, 500_000, 400_000], // 80 % of the prompt cached (a resent long prefix)
      ['acme', 'chat', 100, 4000, 100_000, 0],
      ['acme', 'rare', 5, 50, 1000, 1000], // too few requests: the tenant's whole traffic
    ]);
    const mix = createLedgerTokenMix({ ledger: ledger.client, logger, clock: () => 0 });
    expect(mix.expectedCachedPromptShare('acme', 'agent')).toBeUndefined(); // before the first load
    await mix.refresh();
    expect(mix.expectedCachedPromptShare('acme', 'agent')).toBe(0.8);
    expect(mix.expectedCachedPromptShare('acme', 'chat')).toBe(0);
    expect(mix.expectedCachedPromptShare('acme', 'rare')).toBeCloseTo(401_000 / 601_000, 9);
    expect(mix.expectedCachedPromptShare('globex', 'x')).toBeUndefined();
  });

  it('refreshes in the background once the figures are stale — once, not per lookup — and keeps the last figures while the ledger fails', async () => {
    let perRequest = 10;
    const ledger = fakeLedger(() => [['acme', 'w', 100, 100 * perRequest]]);
    let now = 0;
    const mix = createLedgerTokenMix({ ledger: ledger.client, logger, clock: () => now, refreshMs: 60_000 });
    await mix.refresh();
    perRequest = 30;
    for (let i = 0; i < 5; i++) expect(mix.expectedCompletionTokens('acme', 'w')).toBe(10); // fresh: no query
    expect(ledger.asked).toHaveLength(1);
    now = 60_001;
    for (let i = 0; i < 5; i++) mix.expectedCompletionTokens('acme', 'w');
    await mix.refresh(); // joins the refresh the lookups started
    expect(ledger.asked).toHaveLength(2);
    expect(mix.expectedCompletionTokens('acme', 'w')).toBe(30);
    ledger.setDown(true);
    now = 120_002;
    await mix.refresh();
    expect(ledger.asked).toHaveLength(3);
    expect(mix.expectedCompletionTokens('acme', 'w')).toBe(30);
  });
});

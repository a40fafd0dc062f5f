// The ledger feed against a real embedded ledger (SQLite in a temp data dir) over the in-memory
// transport: serverless usage lands in the tier and minute it was committed, GPU usage is left to the
// backend's own count, the first poll backfills, later polls read only what is new, and a failed poll
// is retried over the same span.
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { createClient, createRouterTransport, type Client } from '@connectrpc/connect';
import { Backend, Tier } from '@sophia/contracts/common';
import { LedgerService } from '@sophia/contracts/ledger';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only: the real ledger answers the feed
import { ledgerConfigSchema, startLedger } from '@sophia/ledger';
import { createLogger, type StartedService } from '@sophia/platform';
import { tempDataDir } from '@sophia/state-store/testing';
import type { MinuteDemand } from '../demand-window.ts';
import { createLedgerDemandFeed } from './ledger-demand-feed.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 5, 9, 0, 0);

describe('createLedgerDemandFeed against the embedded ledger', () => {
  let dir: ReturnType<typeof tempDataDir>;
  let started: StartedService;
  let ledger: Client<typeof LedgerService>;
  let seq = 0;
  beforeEach(async () => {
    dir = tempDataDir();
    started = await startLedger({ config: ledgerConfigSchema.parse({ SOPHIA_DATA_DIR: dir.dir, SOPHIA_LOG_LEVEL: 'error' }), logger: createLogger({ service: 'ledger', level: 'error' }) });
    const impl = started.services[0]!.impl;
    ledger = createClient(LedgerService, createRouterTransport(({ service }) => service(LedgerService, impl as never)));
  });
  afterEach(async () => {
    await started.close?.();
    dir.remove();
  });

  const record = (atMs: number, tier: Tier, backend: Backend, promptTokens: number, completionTokens: number) =>
    ledger.recordUsage({
      event: {
        requestId: `r${seq++}`,
        tenant: 't',
        model: tier === Tier.SIMPLE ? 'meta-llama/Llama-3.1-8B-Instruct' : 'meta-llama/Llama-3.3-70B-Instruct',
        backend,
        tier,
        usage: { promptTokens, completionTokens },
        time: timestampFromMs(atMs),
        completed: true,
      },
    });

  it('observes serverless usage per tier in the minute it was committed, backfills once, then reads only what is new', async () => {
    await record(T0 + 10_000, Tier.SIMPLE, Backend.SERVERLESS, 100, 20);
    await record(T0 + 20_000, Tier.SIMPLE, Backend.SERVERLESS, 50, 10);
    await record(T0 + 30_000, Tier.SIMPLE, Backend.GPU, 999, 999); // counted by the GPU backend itself
    await record(T0 + MINUTE + 5_000, Tier.BALANCED, Backend.SERVERLESS, 300, 40);
    let now = T0 + 2 * MINUTE + 10_000;
    const seen: Array<[string, MinuteDemand, number]> = [];
    const feed = createLedgerDemandFeed({ ledger, now: () => now, backfillMinutes: 10, lagMs: 5000, observe: (tier, demand, at) => seen.push([tier, demand, Math.floor(at / MINUTE) - T0 / MINUTE]) });
    await feed.poll();
    expect(seen).toEqual([
      ['simple', { requests: 2, promptTokens: 150, completionTokens: 30 }, 0],
      ['balanced', { requests: 1, promptTokens: 300, completionTokens: 40 }, 1],
    ]);
    seen.length = 0;
    await record(T0 + 2 * MINUTE + 20_000, Tier.SIMPLE, Backend.SERVERLESS, 10, 5);
    await feed.poll(); // the new event is younger than the lag: not yet
    expect(seen).toEqual([]);
    now += 30_000;
    await feed.poll();
    expect(seen).toEqual([['simple', { requests: 1, promptTokens: 10, completionTokens: 5 }, 2]]);
  });

  it('reports a failed poll and reads the same span again at the next one', async () => {
    await record(T0 + 10_000, Tier.SIMPLE, Backend.SERVERLESS, 100, 20);
    let fail = true;
    const errors: string[] = [];
    const seen: MinuteDemand[] = [];
    const flaky = { queryUsage: (req: Parameters<typeof ledger.queryUsage>[0]) => (fail ? Promise.reject(new Error('ledger unavailable')) : ledger.queryUsage(req)) };
    const feed = createLedgerDemandFeed({ ledger: flaky, now: () => T0 + MINUTE + 10_000, backfillMinutes: 5, observe: (_t, d) => seen.push(d), onError: (e) => errors.push(e.message) });
    await feed.poll();
    expect(errors).toEqual(['ledger unavailable']);
    fail = false;
    await feed.poll();
    expect(seen).toEqual([{ requests: 1, promptTokens: 100, completionTokens: 20 }]);
  });
});

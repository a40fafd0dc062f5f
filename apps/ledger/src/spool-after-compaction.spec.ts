// A record the replicas never confirm stays in the ledger's spool and is written again every replay
// cycle (spooling-usage-store.ts). Compaction folds raw events older than the raw window into
// summaries and deletes them with their request-id keys (usage-compaction.ts). A spool older than the
// raw window must not re-add an event already compacted: the request would be counted twice.
import { Redis } from 'ioredis';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { createRedisUsageStore } from './redis-usage-store.ts';
import { ReplicaAckTimeout } from './replica-ack-barrier.ts';
import { createSpoolingUsageStore } from './spooling-usage-store.ts';
import { createUsageSpool, SPOOL_SCHEMA } from './usage-spool.ts';
import { T0, usageRecord } from './usage-store-contract.ts';
import type { UsageStore } from './usage-store.ts';

const HOUR = 3_600_000;
const describeRedis = redisServerAvailable() ? describe : describe.skip;

describeRedis('a spooled record left unconfirmed past the raw window (real redis-server)', () => {
  let server: TestRedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis.quit();
    await server.stop();
  });

  it('is counted once after compaction took its raw event', async () => {
    const inner = createRedisUsageStore({ redis, keyPrefix: '{late}:' });
    const unconfirmed = (): ReplicaAckTimeout => new ReplicaAckTimeout(1, 0, 1);
    // No replica ever answers: each write lands on the primary and its wait for a replica times out.
    const primary: typeof inner = {
      ...inner,
      async record(record, options = {}) {
        const outcome = await inner.record(record, options);
        if (!options.deferReplicaAck) throw unconfirmed();
        return outcome;
      },
      async confirmReplicated() {
        throw unconfirmed();
      },
    };
    const spool = createUsageSpool(memoryStateDatabase(SPOOL_SCHEMA).db);
    let now = T0;
    const store = createSpoolingUsageStore({
      primary,
      spool,
      policy: 'serve',
      logger: { warn: () => undefined, info: () => undefined },
      replayEveryMs: 3_600_000,
      compaction: { rawMs: HOUR, bucketMs: HOUR },
      clock: () => now,
    });
    try {
      expect((await store.record(usageRecord({ requestId: 'late-1', timeMs: T0, costMicroUsd: 7 }))).recorded).toBe(true);
      expect(spool.size()).toBe(1);
      const total = async (): Promise<{ requests: bigint; costMicroUsd: bigint }> => (await (store as UsageStore).query({ startMs: 0, endMs: T0 + 10 * HOUR, groupBy: [] })).total;
      expect(await total()).toMatchObject({ requests: 1n, costMicroUsd: 7n });

      // Two hours later, with a one-hour raw window: the event is compacted into its bucket's summary.
      now = T0 + 2 * HOUR;
      expect(await inner.compact(now, HOUR, HOUR)).toBe(1);
      expect(await total()).toMatchObject({ requests: 1n, costMicroUsd: 7n });

      // The spool is still unconfirmed and replays; then compaction runs again.
      await expect(store.replay()).rejects.toThrow(ReplicaAckTimeout);
      now = T0 + 3 * HOUR;
      await inner.compact(now, HOUR, HOUR);
      expect(await total()).toMatchObject({ requests: 1n, costMicroUsd: 7n });
    } finally {
      store.close();
    }
  });

  it('still writes, once, a record Redis never took, however old (an outage longer than the raw window)', async () => {
    const inner = createRedisUsageStore({ redis, keyPrefix: '{outage}:' });
    const spool = createUsageSpool(memoryStateDatabase(SPOOL_SCHEMA).db);
    const now = T0 + 5 * HOUR;
    const store = createSpoolingUsageStore({ primary: inner, spool, policy: 'serve', logger: { warn: () => undefined, info: () => undefined }, replayEveryMs: 3_600_000, compaction: { rawMs: HOUR, bucketMs: HOUR }, clock: () => now });
    try {
      spool.add(usageRecord({ requestId: 'old-1', timeMs: T0, costMicroUsd: 5 }), 'old-1');
      expect(await store.replay()).toBe(1);
      await inner.compact(now, HOUR, HOUR);
      expect(await store.replay()).toBe(0);
      expect((await inner.query({ startMs: 0, endMs: now, groupBy: [] })).total).toMatchObject({ requests: 1n, costMicroUsd: 5n });
    } finally {
      store.close();
    }
  });
});

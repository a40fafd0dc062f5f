// Records wait for a replica (SOPHIA_LEDGER_REDIS_REPLICA_ACKS), against a real primary and a real
// replica whose replication link runs through a proxy that can be cut: a record the replica does not
// confirm is kept in the local spool — it is on the primary only, exactly the record a failover to that
// replica would lose — and is confirmed, once, when replication resumes.
import { Redis } from 'ioredis';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { startCuttableProxy, type CuttableProxy } from './cuttable-tcp-proxy.ts';
import { redisLedgerKeys } from './redis-ledger-keys.ts';
import { createRedisUsageStore } from './redis-usage-store.ts';
import { createReplicaAckBarrier, ReplicaAckTimeout } from './replica-ack-barrier.ts';
import { createSpoolingUsageStore, isRedisOutage, type SpoolingUsageStore } from './spooling-usage-store.ts';
import { createUsageSpool, SPOOL_SCHEMA, type UsageSpool } from './usage-spool.ts';
import { T0, usageRecord } from './usage-store-contract.ts';

const describeRedis = redisServerAvailable() ? describe : describe.skip;

/** Resolves once `replica` reports its link to the primary up (or down). */
async function replicaLink(replica: Redis, up: boolean): Promise<void> {
  for (;;) {
    const info = await replica.info('replication');
    if (info.includes(`master_link_status:${up ? 'up' : 'down'}`)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeRedis('records wait for replica acknowledgement (real primary and replica)', () => {
  let primary: TestRedisServer;
  let replicaServer: TestRedisServer;
  let link: CuttableProxy;
  let main: Redis;
  let records: Redis;
  let replica: Redis;
  let spool: UsageSpool;
  let store: SpoolingUsageStore;
  const prefix = '{acks}:';
  const keys = redisLedgerKeys(prefix);

  beforeAll(async () => {
    primary = await startRedisServer();
    link = await startCuttableProxy(primary.port);
    replicaServer = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(link.port), '--repl-timeout', '60'] });
    main = new Redis(primary.url);
    records = new Redis(primary.url);
    replica = new Redis(replicaServer.url);
    await replicaLink(replica, true);
    spool = createUsageSpool(memoryStateDatabase(SPOOL_SCHEMA).db);
    store = createSpoolingUsageStore({
      primary: createRedisUsageStore({ redis: main, keyPrefix: prefix, replicaAcks: { replicas: 1, timeoutMs: 200, redis: records } }),
      spool,
      policy: 'serve',
      logger: { warn: () => undefined, info: () => undefined },
      replayEveryMs: 60_000,
    });
  });
  afterAll(async () => {
    store.close();
    for (const c of [main, records, replica]) c.disconnect();
    await link.close();
    await replicaServer.stop();
    await primary.stop();
  });

  it('a record the replica holds is stored; concurrent records share their WAITs', async () => {
    const wait = jest.spyOn(records, 'wait');
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => store.record(usageRecord({ requestId: `ok-${i}`, costMicroUsd: 1 }))));
    expect(outcomes.every((o) => o.recorded)).toBe(true);
    expect(spool.size()).toBe(0);
    expect(await replica.exists(keys.event('ok-19'))).toBe(1);
    expect(wait.mock.calls.length).toBeLessThan(20);
    wait.mockRestore();
  });

  it('a record the replica cannot confirm is acknowledged from the spool, and replayed once when replication resumes', async () => {
    await link.cut();
    await replicaLink(replica, false);
    try {
      expect((await store.record(usageRecord({ requestId: 'unconfirmed', costMicroUsd: 7 }))).recorded).toBe(true);
      // On the primary only: a failover to this replica now would lose it, if the spool did not hold it.
      expect(await main.exists(keys.event('unconfirmed'))).toBe(1);
      expect(await replica.exists(keys.event('unconfirmed'))).toBe(0);
      expect(spool.size()).toBe(1);
      // A record spooled because Redis was away: the replay writes it (reports and the warehouse stay
      // current) but keeps both spooled while no replica confirms them.
      spool.add(usageRecord({ requestId: 'spooled-away', costMicroUsd: 5 }), 'spooled-away');
      await expect(store.replay()).rejects.toBeInstanceOf(ReplicaAckTimeout);
      expect(await main.exists(keys.event('spooled-away'))).toBe(1);
      expect(spool.size()).toBe(2);
    } finally {
      await link.restore();
    }
    await replicaLink(replica, true);
    expect(await store.replay()).toBe(2);
    expect(spool.size()).toBe(0);
    expect(await replica.exists(keys.event('unconfirmed'))).toBe(1);
    const totals = await createRedisUsageStore({ redis: main, keyPrefix: prefix }).query({ startMs: 0, endMs: T0 + 1, groupBy: [] });
    expect(totals.total).toMatchObject({ requests: 22n, costMicroUsd: 32n });
  });

  it('the timeout is an outage to the spool (not a Redis error reply), naming the setting', async () => {
    const none = await startRedisServer();
    const client = new Redis(none.url);
    try {
      const error = await createReplicaAckBarrier(client, { replicas: 1, timeoutMs: 10 })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReplicaAckTimeout);
      expect(isRedisOutage(error)).toBe(true);
      expect((error as Error).message).toContain('SOPHIA_LEDGER_REDIS_REPLICA_ACKS');
    } finally {
      client.disconnect();
      await none.stop();
    }
  });
});

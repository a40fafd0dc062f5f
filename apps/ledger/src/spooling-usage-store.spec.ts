// Redis unreachable mid-load (a real redis-server behind a TCP proxy that is cut, then restored):
// every record acknowledged during the outage is spooled locally and lands in Redis exactly once when
// it returns; reservations follow the outage policy.
import { Redis, ReplyError } from 'ioredis';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { startCuttableProxy, type CuttableProxy } from './cuttable-tcp-proxy.ts';
import { createRedisUsageStore } from './redis-usage-store.ts';
import { createSpoolingUsageStore, isRedisOutage, isRedisStoreFull, OutageRefusal, redisFullKind, RedisStoreFull, type RedisOutagePolicy, type SpoolingUsageStore } from './spooling-usage-store.ts';
import { createUsageSpool, SPOOL_SCHEMA, type UsageSpool } from './usage-spool.ts';
import { T0, usageRecord } from './usage-store-contract.ts';
import type { RecordOutcome } from './usage-store.ts';

const available = redisServerAvailable();
const describeRedis = available ? describe : describe.skip;

describeRedis('the spooling Redis store during a Redis outage (real redis-server, cut connection)', () => {
  let server: TestRedisServer;
  let proxy: CuttableProxy;
  let viaProxy: Redis;
  let direct: Redis;
  let spool: UsageSpool;
  let n = 0;
  const stores: SpoolingUsageStore[] = [];
  const logger = { warn: () => undefined, info: () => undefined };

  beforeAll(async () => {
    server = await startRedisServer();
    proxy = await startCuttableProxy(server.port);
    viaProxy = new Redis({ port: proxy.port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    direct = new Redis(server.url);
  });
  afterAll(async () => {
    for (const s of stores) s.close();
    // A test ends right after restoring a cut, with this client still reconnecting: disconnect() on its
    // closed socket left ioredis's destroy timer (2 s) running past the suite ("Jest did not exit").
    // Once it answers again its socket is live, and disconnecting ends it at once.
    await viaProxy.ping();
    viaProxy.disconnect();
    await direct.quit();
    await proxy.close();
    await server.stop();
  });

  const replayed: RecordOutcome[] = [];
  const storeWith = (policy: RedisOutagePolicy): { store: SpoolingUsageStore; prefix: string } => {
    const prefix = `{outage${n++}}:`;
    spool = createUsageSpool(memoryStateDatabase(SPOOL_SCHEMA).db);
    replayed.length = 0;
    const store = createSpoolingUsageStore({ primary: createRedisUsageStore({ redis: viaProxy, keyPrefix: prefix }), spool, policy, logger, replayEveryMs: 60_000, onReplayed: (o) => void replayed.push(o) });
    stores.push(store);
    return { store, prefix };
  };

  it('records every acknowledged request exactly once in Redis after the outage; reservations are served unchecked', async () => {
    const { store, prefix } = storeWith('serve');
    for (let i = 0; i < 5; i++) await store.record(usageRecord({ requestId: `before-${i}`, costMicroUsd: 1 }));
    await proxy.cut();
    try {
      for (let i = 0; i < 5; i++) expect((await store.record(usageRecord({ requestId: `during-${i}`, costMicroUsd: 10 }))).recorded).toBe(true);
      expect(spool.size()).toBe(5);
      expect(await store.reserve({ tenant: 'acme', reservationId: 'r', amountMicroUsd: 5, nowMs: T0, ttlMs: 1000 })).toEqual({ granted: true, states: [] });
      await expect(store.replay()).rejects.toThrow();
      expect(spool.size()).toBe(5);
    } finally {
      await proxy.restore();
    }
    expect(await store.replay()).toBe(5);
    expect(await store.replay()).toBe(0);
    expect(spool.size()).toBe(0);
    const check = createRedisUsageStore({ redis: direct, keyPrefix: prefix });
    expect((await check.query({ startMs: 0, endMs: T0 + 1, groupBy: [] })).total).toMatchObject({ requests: 10n, costMicroUsd: 55n });
    // A replayed record that Redis already had (crash between Redis's answer and the spool delete) counts once.
    spool.add(usageRecord({ requestId: 'during-0', costMicroUsd: 10 }), 'during-0');
    expect(await store.replay()).toBe(1);
    expect((await check.query({ startMs: 0, endMs: T0 + 1, groupBy: [] })).total.requests).toBe(10n);
  });

  it('refuses new requests under the refuse policy, still spooling the usage of requests already served', async () => {
    const { store } = storeWith('refuse');
    // Reserved before the outage, served across it: its usage, spooled, settles that reservation at replay.
    expect((await store.reserve({ tenant: 'acme', reservationId: 'served', amountMicroUsd: 5, nowMs: T0, ttlMs: 60_000 })).granted).toBe(true);
    await proxy.cut();
    try {
      await expect(store.reserve({ tenant: 'acme', reservationId: 'r', amountMicroUsd: 5, nowMs: T0, ttlMs: 1000 })).rejects.toBeInstanceOf(OutageRefusal);
      // Reserve reads the prompt calibration first: the policy holds there too (the chaos suite found it bypassed).
      await expect(store.promptCalibration('m')).rejects.toBeInstanceOf(OutageRefusal);
      const spooled = await store.record(usageRecord({ requestId: 'served' }));
      expect(spooled.recorded).toBe(true);
      expect(spooled.reservationHeld).toBeUndefined(); // not known until Redis settles it
      expect(spool.size()).toBe(1);
    } finally {
      await proxy.restore();
    }
    expect(await store.replay()).toBe(1);
    expect(replayed.map((o) => [o.record.requestId, o.reservationHeld])).toEqual([['served', true]]);
  });

  it('reports each replayed record that settled no reservation: a request served unchecked under serve', async () => {
    const { store } = storeWith('serve');
    await proxy.cut();
    try {
      expect(await store.reserve({ tenant: 'acme', reservationId: 'unchecked', amountMicroUsd: 5, nowMs: T0, ttlMs: 1000 })).toEqual({ granted: true, states: [] });
      await store.record(usageRecord({ requestId: 'unchecked' }));
    } finally {
      await proxy.restore();
    }
    expect(await store.replay()).toBe(1);
    expect(replayed.map((o) => [o.record.requestId, o.recorded, o.reservationHeld])).toEqual([['unchecked', true, false]]);
  });

  it('under the serve policy, an unreachable calibration is the safe default, not an error', async () => {
    const { store } = storeWith('serve');
    await proxy.cut();
    try {
      expect(await store.promptCalibration('m')).toEqual({ samples: 0, maxRatioMilli: 0, maxExcessTokens: 0 });
    } finally {
      await proxy.restore();
    }
  });
});

describe('isRedisOutage', () => {
  it("counts replies saying Redis cannot serve yet (loading after a restart, busy, failover) as an outage, and a command's own error as not", () => {
    expect(isRedisOutage(new ReplyError('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isRedisOutage(new ReplyError('BUSY Redis is busy running a script.'))).toBe(true);
    expect(isRedisOutage(new ReplyError("READONLY You can't write against a read only replica."))).toBe(true);
    expect(isRedisOutage(new ReplyError('MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no.'))).toBe(true);
    expect(isRedisOutage(new ReplyError('ERR wrong number of arguments for script'))).toBe(false);
    expect(isRedisOutage(new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
    expect(isRedisOutage(new RangeError('bad amount'))).toBe(false);
    expect(isRedisOutage(new Error('Connection is closed.'))).toBe(true);
  });

  it('refuses a reservation under `refuse` while Redis reloads its data after a restart (it answers LOADING)', async () => {
    const loading = (): Promise<never> => Promise.reject(new ReplyError('LOADING Redis is loading the dataset in memory'));
    const primary = { reserve: loading, promptCalibration: loading } as unknown as Parameters<typeof createSpoolingUsageStore>[0]['primary'];
    const store = createSpoolingUsageStore({ primary, spool: createUsageSpool(memoryStateDatabase(SPOOL_SCHEMA).db), policy: 'refuse', logger: { warn: () => undefined, info: () => undefined } });
    try {
      await expect(store.promptCalibration('m')).rejects.toBeInstanceOf(OutageRefusal);
      await expect(store.reserve({ tenant: 'acme', reservationId: 'r', amountMicroUsd: 5, nowMs: T0, ttlMs: 1000 })).rejects.toBeInstanceOf(OutageRefusal);
    } finally {
      store.close();
    }
  });

  it.each([
    ['MISCONF (Redis cannot persist: its disk is full)', 'MISCONF Errors writing to the AOF file: No space left on device', 'disk'],
    ['OOM (Redis at maxmemory, eviction off)', "OOM command not allowed when used memory > 'maxmemory'.", 'memory'],
  ] as const)('treats %s as storage full: reservations refused under either policy, records spooled and replayed once it can write', async (_, reply, kind) => {
    const misconf = new ReplyError(reply);
    expect(isRedisStoreFull(misconf)).toBe(true);
    expect(redisFullKind(misconf)).toBe(kind);
    expect(isRedisOutage(misconf)).toBe(false);
    const state = { full: true, recorded: [] as string[] };
    const primary = {
      reserve: async () => {
        if (state.full) throw misconf;
        return { granted: true, states: [] };
      },
      record: async (record: { requestId: string }) => {
        if (state.full) throw misconf;
        state.recorded.push(record.requestId);
        return { recorded: true, record };
      },
    } as unknown as Parameters<typeof createSpoolingUsageStore>[0]['primary'];
    for (const policy of ['serve', 'refuse'] as const) {
      const spool = createUsageSpool(memoryStateDatabase(SPOOL_SCHEMA).db);
      const store = createSpoolingUsageStore({ primary, spool, policy, logger: { warn: () => undefined, info: () => undefined }, replayEveryMs: 60_000 });
      try {
        state.full = true;
        state.recorded = [];
        await expect(store.reserve({ tenant: 'acme', reservationId: 'r', amountMicroUsd: 1, nowMs: T0, ttlMs: 1000 })).rejects.toBeInstanceOf(RedisStoreFull);
        await expect(store.record(usageRecord({ requestId: `served-${policy}` }))).resolves.toMatchObject({ recorded: true });
        expect(spool.size()).toBe(1);
        state.full = false;
        expect(await store.replay()).toBe(1);
        expect(state.recorded).toEqual([`served-${policy}`]);
        expect(spool.size()).toBe(0);
      } finally {
        store.close();
      }
    }
  });
});

describeRedis('the spooling Redis store when Redis is out of memory (real redis-server at maxmemory, noeviction)', () => {
  let server: TestRedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedisServer({ args: ['--maxmemory-policy', 'noeviction'] });
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis.quit();
    await server.stop();
  });

  it('refuses reservations under either policy with the out-of-memory kind, keeps the records of requests served, and reserves again once Redis has room', async () => {
    const usedMemory = (info: string): number => Number(/used_memory:(\d+)/.exec(info)![1]);
    for (const policy of ['serve', 'refuse'] as const) {
      const prefix = `{oom-${policy}}:`;
      const spool = createUsageSpool(memoryStateDatabase(SPOOL_SCHEMA).db);
      const store = createSpoolingUsageStore({ primary: createRedisUsageStore({ redis, keyPrefix: prefix }), spool, policy, logger: { warn: () => undefined, info: () => undefined }, replayEveryMs: 60_000 });
      try {
        await store.record(usageRecord({ requestId: `before-${policy}`, costMicroUsd: 1 }));
        // Redis holding a 4 MiB value and then limited to 1 MiB less than it uses: every write command is refused with OOM.
        await redis.set('filler', 'x'.repeat(4 * 1024 * 1024));
        await redis.config('SET', 'maxmemory', String(usedMemory(await redis.info('memory')) - 1024 * 1024));
        const refused = await store.reserve({ tenant: 'acme', reservationId: 'r', amountMicroUsd: 1, nowMs: T0, ttlMs: 1000 }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(RedisStoreFull);
        expect((refused as RedisStoreFull).kind).toBe('memory');
        expect((refused as RedisStoreFull).message).toMatch(/^budget store \(Redis\) is out of memory \(maxmemory reached, eviction off\): new requests are refused until it can: OOM command not allowed/);
        // The usage of a request already served is kept either way: Redis 7 lets the record script
        // finish (its first write, releasing the reservation, frees memory and Redis does not stop a
        // script midway), and were it refused it would be spooled. Never both, never neither.
        await expect(store.record(usageRecord({ requestId: `served-${policy}`, costMicroUsd: 10 }))).resolves.toMatchObject({ recorded: true });
        const check = createRedisUsageStore({ redis, keyPrefix: prefix });
        const inRedis = (await check.query({ startMs: 0, endMs: T0 + 1, groupBy: [] })).total.requests - 1n;
        expect(BigInt(spool.size()) + inRedis).toBe(1n);
        await redis.del('filler');
        await store.replay();
        expect(spool.size()).toBe(0);
        expect((await check.query({ startMs: 0, endMs: T0 + 1, groupBy: [] })).total).toMatchObject({ requests: 2n, costMicroUsd: 11n });
        expect((await store.reserve({ tenant: 'acme', reservationId: 'r2', amountMicroUsd: 1, nowMs: T0, ttlMs: 1000 })).granted).toBe(true);
      } finally {
        await redis.config('SET', 'maxmemory', '0');
        store.close();
      }
    }
  });

  it('tells MISCONF (disk) from OOM (memory) and from other replies', () => {
    expect(redisFullKind(new ReplyError('MISCONF Errors writing to the AOF file: No space left on device'))).toBe('disk');
    expect(redisFullKind(new ReplyError("OOM command not allowed when used memory > 'maxmemory'."))).toBe('memory');
    expect(redisFullKind(new ReplyError('ERR unknown command'))).toBeUndefined();
    expect(redisFullKind(new Error('OOM but not a reply'))).toBeUndefined();
    expect(isRedisOutage(new ReplyError("OOM command not allowed when used memory > 'maxmemory'."))).toBe(false);
  });
});

// Real redis-server: the breaker history contract, shared by two router replicas.
import { Redis } from 'ioredis';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { breakerHistoryContract, CONTRACT_RETENTION, transition } from './breaker-history-contract.ts';
import type { BreakerHistory } from './breaker-history.ts';
import { createRedisBreakerHistory } from './redis-breaker-history.ts';

const available = redisServerAvailable();
if (!available) console.warn('redis-server not found on PATH: skipping the router Redis breaker history tests');
const describeRedis = available ? describe : describe.skip;

describeRedis('redis breaker history', () => {
  let server: TestRedisServer;
  const clients: Redis[] = [];
  const errors: Error[] = [];
  const connect = (): Redis => {
    const r = new Redis(server.url, { maxRetriesPerRequest: 1 });
    clients.push(r);
    return r;
  };
  const history = (redis: Redis): BreakerHistory => createRedisBreakerHistory({ redis, keyPrefix: 'test:router:', retention: CONTRACT_RETENTION, onError: (e) => errors.push(e) });
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await clients[0]?.flushall();
    await Promise.all(clients.splice(0).map((c) => c.quit()));
    expect(errors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await server.stop();
  });

  describe('the breaker history contract', () => {
    let store: BreakerHistory;
    let redis: Redis;
    beforeEach(() => {
      redis = connect();
      store = history(redis);
    });
    breakerHistoryContract(
      () => store,
      async () => void (await redis.ping()),
    );
  });

  it('is one log for every replica, and a damaged entry is skipped', async () => {
    const [a, b] = [connect(), connect()];
    const now = Date.now();
    history(a).record(transition('gpu:m', now - 20));
    await a.ping();
    history(b).record(transition('serverless:m', now - 10));
    await b.ping();
    await a.lpush('test:router:breaker-transitions', '{not json');
    expect((await history(a).recent(10, now)).map((t) => t.target)).toEqual(['serverless:m', 'gpu:m']);
  });
});

import type { Cluster, Redis } from 'ioredis';
import { redisServerAvailable, startRedisCluster, startRedisSentinel, startRedisServer, unusedPort, type TestRedisServer } from '../testing/index.ts';
import { spawnSync } from 'node:child_process';
import { connectRedis } from './connect-redis.ts';
import { parseRedisTarget } from './redis-target.ts';

const describeWithRedis = redisServerAvailable() ? describe : describe.skip;
if (!redisServerAvailable()) console.warn('platform: redis-server is not installed: skipping the Redis connection tests');

const spawnSyncOut = (cmd: string, args: string[]): string => spawnSync(cmd, args, { encoding: 'utf8' }).stdout.trim();

async function eventually<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describeWithRedis('connectRedis (real redis-server and sentinel processes)', () => {
  const started: TestRedisServer[] = [];
  const clients: Array<Redis | Cluster> = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    for (const s of started.splice(0).reverse()) await s.stop();
  });

  it('connects by URL and fails fast naming the setting and host, never the password', async () => {
    const server = await startRedisServer();
    started.push(server);
    const redis = await connectRedis(parseRedisTarget(server.url));
    clients.push(redis);
    expect(await redis.ping()).toBe('PONG');
    const closed = await unusedPort();
    await expect(connectRedis(parseRedisTarget(`redis://:hunter2@127.0.0.1:${closed}`), { options: { maxRetriesPerRequest: 0, retryStrategy: () => null } })).rejects.toThrow(
      new RegExp(`^SOPHIA_REDIS_URL: cannot connect to Redis at 127\\.0\\.0\\.1:${closed}: `),
    );
  });

  it('finds the primary through a sentinel, runs scripts there, and follows a failover to the replica', async () => {
    const primary = await startRedisServer();
    started.push(primary);
    const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    started.push(replica);
    const sentinel = await startRedisSentinel({ primaryPort: primary.port, name: 'sophia', downAfterMs: 300 });
    started.push(sentinel);
    // The sentinel learns of the replica from the primary's INFO; failover needs it known.
    await eventually(async () => {
      const admin = await connectRedis(parseRedisTarget(sentinel.url), { onError: () => undefined });
      try {
        const replicas = (await admin.call('SENTINEL', 'REPLICAS', 'sophia')) as unknown[];
        if (replicas.length === 0) throw new Error('replica not yet known to the sentinel');
      } finally {
        admin.disconnect();
      }
    }, 15_000);

    const errors: string[] = [];
    const redis = await connectRedis(parseRedisTarget(`redis+sentinel://127.0.0.1:${sentinel.port}/sophia`), {
      options: { maxRetriesPerRequest: 1 },
      onError: (err) => errors.push(err.message),
    });
    clients.push(redis);
    const first = await redis.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1, 'spent', 5);
    expect(first).toBe(5);
    await eventually(async () => {
      if ((await redis.call('WAIT', 1, 1000)) !== 1) throw new Error('not yet replicated');
    }, 10_000);

    await primary.kill();
    // ioredis asks the sentinel again on reconnect; the promoted replica has the data.
    const after = await eventually(async () => Number(await redis.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1, 'spent', 2)), 30_000);
    expect(after).toBe(7);
    const role = (await redis.call('ROLE')) as unknown[];
    expect(role[0]).toBe('master');
    expect(await redis.info('server')).toContain(`tcp_port:${replica.port}`);
    // The old primary's death reached the error listener (not an unhandled 'error' event).
    expect(errors.length).toBeGreaterThan(0);
  }, 60_000);

  it('speaks Redis Cluster: multi-key scripts on one hash tag run on the owner of the slot, keys spread over the nodes', async () => {
    const cluster = await startRedisCluster(3);
    try {
      const redis = await connectRedis(parseRedisTarget(cluster.url), { onError: () => undefined });
      clients.push(redis);
      const script = "redis.call('INCRBY', KEYS[1], ARGV[1]); return redis.call('INCRBY', KEYS[2], ARGV[1])";
      expect(await redis.eval(script, 2, '{tenant:acme}:spent', '{tenant:acme}:total', 3)).toBe(3);
      expect(await redis.eval(script, 2, '{tenant:acme}:spent', '{tenant:acme}:total', 4)).toBe(7);
      // Keys without a shared tag land on different nodes, and the client routes each one.
      for (let i = 0; i < 30; i++) await redis.set(`k${i}`, String(i));
      const perNode = cluster.nodes.map((n) => Number(spawnSyncOut('redis-cli', ['-p', String(n.port), 'dbsize'])));
      expect(perNode.filter((count) => count > 0).length).toBeGreaterThan(1);
      expect(await redis.get('k17')).toBe('17');
    } finally {
      for (const c of clients.splice(0)) c.disconnect();
      await cluster.stop();
    }
  }, 60_000);
});

import { Redis } from 'ioredis';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from './start-redis-server.ts';

/** What a suite over real Redis gets: the connected client (flushed before each test) and the server's URL. */
export interface RedisSuite {
  redis(): Redis;
  url(): string;
}

/**
 * Registers `body` as a suite against a real redis-server on a free port, started once for the suite
 * and stopped after it; skipped with a warning where redis-server is not installed. One place for the
 * set-up every Redis store suite shares (gateway, ledger, fleet).
 */
export function describeWithRedis(name: string, body: (suite: RedisSuite) => void): void {
  const available = redisServerAvailable();
  if (!available) console.warn(`redis-server not found on PATH: skipping "${name}"`);
  (available ? describe : describe.skip)(name, () => {
    let server: TestRedisServer | undefined;
    let client: Redis | undefined;
    beforeAll(async () => {
      server = await startRedisServer();
      client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    });
    beforeEach(async () => {
      await client!.flushall();
    });
    afterAll(async () => {
      await client?.quit();
      await server?.stop();
    });
    body({ redis: () => client!, url: () => server!.url });
  });
}

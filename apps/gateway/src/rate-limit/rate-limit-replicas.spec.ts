// Two gateway replicas (real HTTP servers on port 0) sharing one real redis-server: the limits
// hold exactly across them — the Lua script is the only place a request is counted.
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Role } from '@sophia/contracts/common';
import { ChatService } from '@sophia/contracts/gateway';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import type { GatewayServer } from '../gateway-server.ts';
import { defaultScript, type FakeScript } from '../testing/fake-router.ts';
import { jsonHeaders, startTestGateway, TEST_KEY } from '../testing/gateway-harness.ts';
import { rateLimitRouter } from './rate-limited-router.ts';
import { createRateLimitSource } from './rate-limit-source.ts';
import { createRedisRateLimitStore } from './rate-limit-store.ts';
import type { TenantRateLimits } from './rate-limits.ts';
import { createRedisRateLimiter } from './redis-rate-limiter.ts';

const available = redisServerAvailable();
if (!available) console.warn('redis-server not found on PATH: skipping the two-replica rate limit tests');
const describeRedis = available ? describe : describe.skip;

/** A frozen clock: no bucket refills during the test, so the expected counts are exact. */
const T0 = Date.UTC(2026, 11, 5, 9);

describeRedis('rate limits across two gateway replicas on one Redis', () => {
  let server: TestRedisServer;
  const connections: Redis[] = [];
  const gateways: GatewayServer[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.close(100)));
    await Promise.all(connections.splice(0).map((r) => r.quit()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Two replicas, each with its own Redis connection and limit cache, in front of one scripted router. */
  async function replicas(limits: TenantRateLimits, script: FakeScript = defaultScript): Promise<[GatewayServer, GatewayServer]> {
    const admin = new Redis(server.url);
    connections.push(admin);
    await admin.flushall();
    const started: GatewayServer[] = [];
    for (let i = 0; i < 2; i++) {
      const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
      connections.push(redis);
      const { gateway } = await startTestGateway({
        script,
        routerTap: (r) =>
          rateLimitRouter(r, {
            limiter: createRedisRateLimiter({ redis }),
            limits: createRateLimitSource({ config: new Map([['acme', limits]]), store: createRedisRateLimitStore(redis) }),
            leaseMs: 60_000,
            logger: pino({ level: 'silent' }),
            now: () => T0,
          }),
      });
      gateways.push(gateway);
      started.push(gateway);
    }
    return [started[0]!, started[1]!];
  }

  const chat = (g: GatewayServer, extra: Record<string, unknown> = {}) =>
    fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders(), body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], ...extra }) });

  it('admits exactly the tenant requests-per-minute limit from 40 concurrent requests split over both replicas', async () => {
    const [a, b] = await replicas({ tenant: { requestsPerMinute: 7 }, perKey: {} });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => chat(i % 2 === 0 ? a : b)));
    const ok = answers.filter((r) => r.status === 200);
    const limited = answers.filter((r) => r.status === 429);
    expect(ok).toHaveLength(7);
    expect(limited).toHaveLength(33);
    for (const r of ok) expect(r.headers.get('x-ratelimit-limit-requests')).toBe('7');
    const remaining = ok.map((r) => Number(r.headers.get('x-ratelimit-remaining-requests'))).sort((x, y) => x - y);
    expect(remaining).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const r of limited) {
      expect(r.headers.get('retry-after')).toBe('9'); // 60 s / 7 per minute = 8.58 s for one request, rounded up
      expect(r.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(r.headers.get('x-ratelimit-reset-requests')).toBe('1m0s');
    }
    const body = (await limited[0]!.json()) as { error: { type: string; code: string; message: string } };
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(body.error.message).toContain('requests per minute');
    await Promise.all(ok.map((r) => r.text()));
  });

  it('holds exactly the concurrency limit across replicas while streams are open, and frees slots when they end', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    const held: FakeScript = async function* (input, ctx) {
      entered++;
      await gate;
      yield* defaultScript(input);
      void ctx;
    };
    const [a, b] = await replicas({ tenant: {}, perKey: { concurrentRequests: 3 } }, held);
    const answers = Array.from({ length: 10 }, (_, i) => chat(i % 2 === 0 ? a : b, { stream: true }));
    const early: number[] = [];
    for (const p of answers) void p.then((r) => early.push(r.status));
    // Seven answer 429 at once; three are in flight (their 200 waits for the router's decision).
    while (early.length < 7) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(early).toEqual(Array.from({ length: 7 }, () => 429));
    expect(entered).toBe(3);
    release();
    const done = await Promise.all(answers);
    expect(done.filter((r) => r.status === 200)).toHaveLength(3);
    await Promise.all(done.map((r) => r.text()));
    // The streams ended: their slots are free again on either replica.
    expect((await chat(b)).status).toBe(200);
  });

  it('refuses gRPC callers with RESOURCE_EXHAUSTED and the same headers', async () => {
    const [a, b] = await replicas({ tenant: { requestsPerMinute: 1 }, perKey: {} });
    expect((await chat(a)).status).toBe(200);
    const client = createClient(ChatService, createGrpcTransport({ baseUrl: b.url }));
    let headers: Headers | undefined;
    const err = await client
      .complete({ input: { messages: [{ role: Role.USER, content: 'hi' }] } }, { headers: { authorization: `Bearer ${TEST_KEY}` }, onHeader: (h) => (headers = h) })
      .then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(err?.code).toBe(Code.ResourceExhausted);
    expect(err?.metadata.get('retry-after-ms')).toBe('60000');
    expect(headers?.get('x-ratelimit-remaining-requests') ?? err?.metadata.get('x-ratelimit-remaining-requests')).toBe('0');
  });
});

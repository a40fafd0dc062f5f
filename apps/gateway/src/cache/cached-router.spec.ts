// The cache in front of a fake router, behind a real gateway (HTTP on port 0): hits, misses,
// opt-out, streaming replay, TTL and tenant isolation.
import { pino } from 'pino';
import { createApiKeyAuth } from '../api-key-auth.ts';
import type { GatewayServer } from '../gateway-server.ts';
import { json, jsonHeaders, sseData, startTestGateway, TEST_KEY } from '../testing/gateway-harness.ts';
import type { createFakeRouter } from '../testing/fake-router.ts';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { cacheHitUsageEvent } from './cache-hit-usage.ts';
import { cacheRouter, type CacheHit } from './cached-router.ts';
import { createSqliteResponseCacheStore, RESPONSE_CACHE_SCHEMA } from './response-cache-store.ts';

const OTHER_KEY = 'sk-test-globex-0123456789';

describe('response cache (gateway with a fake router)', () => {
  let gateway: GatewayServer;
  let fake: ReturnType<typeof createFakeRouter>;
  let clock = Date.UTC(2026, 11, 5, 9);
  const hits: CacheHit[] = [];
  const db = memoryStateDatabase(RESPONSE_CACHE_SCHEMA);
  beforeEach(async () => {
    db.db.exec('DELETE FROM gateway_response_cache');
    hits.length = 0;
    const started = await startTestGateway({
      auth: createApiKeyAuth([{ key: TEST_KEY, tenant: 'acme' }, { key: OTHER_KEY, tenant: 'globex' }]),
      routerTap: (r) => cacheRouter(r, { store: createSqliteResponseCacheStore(db.db), ttlMs: 60_000, logger: pino({ level: 'silent' }), now: () => clock, onHit: (h) => void hits.push(h) }),
    });
    gateway = started.gateway;
    fake = started.fake;
  });
  afterEach(async () => {
    await gateway.close(100);
  });
  afterAll(() => db.close());

  const ask = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders(headers), body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'What is 2+2?' }], ...body }) });

  it('answers a repeated temperature-0 request from the cache: same answer, zero cost, one upstream call', async () => {
    const first = await ask({ temperature: 0 });
    expect(first.headers.get('x-sophia-cache')).toBe('miss');
    const a = await json(first);
    const second = await ask({ temperature: 0 });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-sophia-cache')).toBe('hit');
    const b = await json(second);
    expect(b.choices[0].message.content).toBe(a.choices[0].message.content);
    expect(b.usage).toEqual(a.usage);
    expect(Number(b.sophia.cost_usd)).toBe(0);
    expect(Number(a.sophia.cost_usd)).toBeGreaterThan(0);
    // The replay says so: a hit, what it saved, and the backend of the call that produced the text.
    expect(a.sophia).toMatchObject({ cache_hit: false, cache_saved_usd: null });
    expect(b.sophia).toMatchObject({ cache_hit: true, cache_saved_usd: a.sophia.cost_usd, backend: a.sophia.backend, provider: a.sophia.provider });
    expect(fake.calls.inputs).toHaveLength(1);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.original.decision?.cost?.microUsd).toBe(42n);
    // What the ledger is told: this request (its own id), the stored answer's model and usage, a cache hit.
    const event = cacheHitUsageEvent(hits[0]!, clock);
    expect(event).toMatchObject({ requestId: second.headers.get('x-request-id'), tenant: 'acme', model: a.model, cacheHit: true, completed: true });
    expect(event.requestId).not.toBe(first.headers.get('x-request-id'));
    expect(event.usage).toMatchObject({ promptTokens: a.usage.prompt_tokens, completionTokens: a.usage.completion_tokens });
  });

  it('answers from upstream when a hit cannot be accounted for (its usage cannot be kept)', async () => {
    await gateway.close(100);
    const started = await startTestGateway({
      auth: createApiKeyAuth([{ key: TEST_KEY, tenant: 'acme' }]),
      routerTap: (r) => cacheRouter(r, { store: createSqliteResponseCacheStore(db.db), ttlMs: 60_000, logger: pino({ level: 'silent' }), now: () => clock, onHit: () => Promise.reject(new Error('outbox full')) }),
    });
    gateway = started.gateway;
    fake = started.fake;
    await (await ask({ temperature: 0 })).text();
    const second = await ask({ temperature: 0 });
    expect(second.headers.get('x-sophia-cache')).toBe('miss');
    expect((await json(second)).sophia.cache_hit).toBe(false);
    expect(fake.calls.inputs).toHaveLength(2);
  });

  it('caches a seeded request, but never a sampled one (temperature > 0, no seed)', async () => {
    await (await ask({ temperature: 0.7, seed: 7 })).text();
    expect((await ask({ temperature: 0.7, seed: 7 })).headers.get('x-sophia-cache')).toBe('hit');
    const sampled = await ask({ temperature: 0.7 });
    expect(sampled.headers.get('x-sophia-cache')).toBeNull();
    await sampled.text();
    await (await ask({ temperature: 0.7 })).text();
    expect(fake.calls.inputs).toHaveLength(3);
  });

  it('replays a hit as a stream', async () => {
    await (await ask({ temperature: 0 })).text();
    const res = await ask({ temperature: 0, stream: true });
    expect(res.headers.get('x-sophia-cache')).toBe('hit');
    const chunks = sseData(await res.text());
    expect(chunks.at(-1)).toBe('[DONE]');
    const text = chunks.slice(0, -1).map((c) => JSON.parse(c) as { choices: Array<{ delta: { content?: string } }> }).map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Hello world');
    expect(fake.calls.inputs).toHaveLength(1);
  });

  it('skips the lookup on Cache-Control: no-cache (and stores the fresh answer), and stores nothing on no-store', async () => {
    await (await ask({ temperature: 0 })).text();
    const fresh = await ask({ temperature: 0 }, { 'cache-control': 'no-cache' });
    expect(fresh.headers.get('x-sophia-cache')).toBe('bypass');
    await fresh.text();
    expect(fake.calls.inputs).toHaveLength(2);
    await (await ask({ temperature: 0, max_tokens: 5 }, { 'cache-control': 'no-store' })).text();
    expect((await ask({ temperature: 0, max_tokens: 5 })).headers.get('x-sophia-cache')).toBe('miss');
  });

  it('keys by tenant and by every parameter, and expires after the TTL', async () => {
    await (await ask({ temperature: 0 })).text();
    const other = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OTHER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'What is 2+2?' }], temperature: 0 }),
    });
    expect(other.headers.get('x-sophia-cache')).toBe('miss');
    await other.text();
    expect((await ask({ temperature: 0, max_tokens: 9 })).headers.get('x-sophia-cache')).toBe('miss');
    clock += 60_001;
    expect((await ask({ temperature: 0 })).headers.get('x-sophia-cache')).toBe('miss');
  });
});

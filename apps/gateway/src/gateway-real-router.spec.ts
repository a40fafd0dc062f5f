import { pino } from 'pino';
import { RouterService } from '@sophia/contracts/router';
import { createServiceClient, serviceRegistration, startGrpcServer, type RunningGrpcServer } from '@sophia/platform';
import type { GatewayServer } from './gateway-server.ts';
import { createFakeRouter, FAKE_DECISION, type FakeEvent } from './testing/fake-router.ts';
import { json, jsonHeaders, sseData, startTestGateway } from './testing/gateway-harness.ts';

const logger = pino({ level: 'silent' });
const hello = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] });

describe('gateway → router over real gRPC sockets (port 0)', () => {
  let routerServer: RunningGrpcServer;
  let gateway: GatewayServer;
  const fake = createFakeRouter();
  beforeAll(async () => {
    routerServer = await startGrpcServer({ services: [serviceRegistration(RouterService, fake.impl)], logger });
    ({ gateway } = await startTestGateway({ router: createServiceClient(RouterService, routerServer.address), requestTimeoutMs: 30_000 }));
  });
  afterAll(async () => {
    await gateway.close(100);
    await routerServer.shutdown(100);
  });

  it('propagates request id, trace and deadline to the router', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: jsonHeaders({ 'x-request-id': 'trace-me-1', traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-timeout-ms': '5000' }),
      body: hello,
    });
    expect(res.status).toBe(200);
    expect((await json(res)).choices[0].message.content).toBe('Hello world');
    const sent = fake.calls.headers.at(-1)!;
    expect(sent.get('x-request-id')).toBe('trace-me-1');
    const [, sentTrace, sentSpan] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(sent.get('traceparent') ?? '') ?? [];
    expect(sentTrace).toBe(traceId);
    expect(sentSpan).toMatch(/^[0-9a-f]{16}$/);
    expect(sentSpan).not.toBe('00f067aa0ba902b7');
    const timeout = fake.calls.timeouts.at(-1);
    expect(timeout).toBeDefined();
    expect(timeout!).toBeLessThanOrEqual(5000);
    expect(timeout!).toBeGreaterThan(0);
  });

  it('streams through the real router socket and aborts the router call when the client leaves', async () => {
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    fake.setScript(async function* (_input, ctx) {
      yield { event: { case: 'decision', value: FAKE_DECISION } } satisfies FakeEvent;
      yield { event: { case: 'delta', value: 'tick' } } satisfies FakeEvent;
      started();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders(), body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true }) });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(sseData(first)[0]).toContain('"sophia"');
    await startedP;
    const aborted = fake.calls.aborts.at(-1)!;
    await reader.cancel();
    await expect(aborted).resolves.toBeDefined();
  });

  it('reports not ready when the router is unreachable', async () => {
    const { gateway: orphan } = await startTestGateway({ router: createServiceClient(RouterService, '127.0.0.1:1') });
    try {
      const res = await fetch(`${orphan.url}/readyz`);
      expect(res.status).toBe(503);
      expect((await json(res)).status).toBe('not_ready');
      const chat = await fetch(`${orphan.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders(), body: hello });
      expect(chat.status).toBe(503);
      expect((await json(chat)).error.code).toBe('upstream_unavailable');
    } finally {
      await orphan.close(100);
    }
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight stream finish and refuses new connections after', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const { gateway } = await startTestGateway({
      script: async function* () {
        yield { event: { case: 'decision', value: FAKE_DECISION } } satisfies FakeEvent;
        started();
        await released;
        yield { event: { case: 'delta', value: 'late' } } satisfies FakeEvent;
        yield { event: { case: 'done', value: { finishReason: 'stop', decision: FAKE_DECISION } } } satisfies FakeEvent;
      },
    });
    const pending = fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders(), body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true }) }).then((r) => r.text());
    await startedP;
    const closed = gateway.close(5000);
    release();
    const data = sseData(await pending);
    expect(data.at(-1)).toBe('[DONE]');
    expect(data.some((d) => d.includes('"late"'))).toBe(true);
    await closed;
    await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
  });

  it('cuts streams that outlive the grace period', async () => {
    const { gateway, fake } = await startTestGateway({
      script: async function* (_input, ctx) {
        yield { event: { case: 'decision', value: FAKE_DECISION } } satisfies FakeEvent;
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      },
    });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders(), body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true }) });
    const reader = res.body!.getReader();
    await reader.read();
    await gateway.close(50);
    await expect(fake.calls.aborts.at(-1)!).resolves.toBeDefined();
    await expect(reader.read()).rejects.toThrow();
  });
});

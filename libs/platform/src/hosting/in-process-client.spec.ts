import { Code, ConnectError } from '@connectrpc/connect';
import { ClassifierService } from '@sophia/contracts/classifier';
import { InferenceService } from '@sophia/contracts/inference';
import { Tier } from '@sophia/contracts/common';
import { pino } from 'pino';
import { callContextFromHeaders, currentCallContext, runWithCallContext } from '../call-context.ts';
import { startGrpcServer, serviceRegistration, type ServiceRegistration } from '../grpc-server.ts';
import { createServiceClient } from '../service-client.ts';
import { createServiceMetrics, type ServiceMetrics } from '../service-metrics.ts';
import { createInProcessClient, type InProcessTarget } from './in-process-client.ts';

const logger = pino({ level: 'silent' });

function target(registration: ServiceRegistration, options: { metrics?: ServiceMetrics; shutdown?: AbortController } = {}): InProcessTarget {
  return { impl: registration.impl, logger, metrics: options.metrics, shutdownSignal: (options.shutdown ?? new AbortController()).signal };
}

const counted = async (metrics: ServiceMetrics, code: string): Promise<number> => {
  const handled = await metrics.handled.get();
  return handled.values.filter((v) => v.labels.grpc_code === code).reduce((sum, v) => sum + v.value, 0);
};

describe('createInProcessClient: the gRPC contract without a socket', () => {
  it('answers unary calls with full messages and counts them in the callee metrics', async () => {
    const metrics = createServiceMetrics('callee', { collectDefaults: false });
    const client = createInProcessClient(ClassifierService, () => target(serviceRegistration(ClassifierService, { classify: () => ({ tier: Tier.BALANCED, promptTokens: 7 }) }), { metrics }));
    const res = await client.classify({ messages: [{ content: 'hi' }] });
    expect(res.$typeName).toBe('sophia.classifier.v1.ClassifyResponse');
    expect(res.tier).toBe(Tier.BALANCED);
    expect(res.score).toBe(0);
    expect(await counted(metrics, 'OK')).toBe(1);
  });

  it('binds a method to its target once, and again only when resolve gives another target (a restarted callee)', async () => {
    let lookups = 0;
    const registration = serviceRegistration(ClassifierService, { classify: () => ({ promptTokens: 1 }) });
    const counting = (): InProcessTarget => ({
      ...target(registration),
      impl: new Proxy(registration.impl, {
        get: (impl, key) => {
          if (key === 'classify') lookups += 1;
          return Reflect.get(impl, key) as unknown;
        },
      }),
    });
    let current = counting();
    const client = createInProcessClient(ClassifierService, () => current);
    await client.classify({});
    await client.classify({});
    expect(lookups).toBe(1);
    current = counting();
    await client.classify({});
    expect(lookups).toBe(2);
  });

  it('gives errors as a gRPC client sees them: codes and metadata kept, unexpected exceptions INTERNAL without their message', async () => {
    const metrics = createServiceMetrics('callee', { collectDefaults: false });
    let fail: unknown;
    const client = createInProcessClient(ClassifierService, () => target(serviceRegistration(ClassifierService, { classify: () => { throw fail; } }), { metrics }));
    fail = new ConnectError('slow down', Code.ResourceExhausted, { 'retry-after-ms': '120' });
    const limited = await client.classify({}).then(() => undefined, (e: unknown) => e as ConnectError);
    expect(limited).toBeInstanceOf(ConnectError);
    expect(limited?.code).toBe(Code.ResourceExhausted);
    expect(limited?.rawMessage).toBe('slow down');
    expect(limited?.metadata.get('retry-after-ms')).toBe('120');
    fail = new Error('secret db password in stack');
    const internal = await client.classify({}).then(() => undefined, (e: unknown) => e as ConnectError);
    expect(internal?.code).toBe(Code.Internal);
    expect(internal?.rawMessage).not.toContain('secret');
    expect(await counted(metrics, 'RESOURCE_EXHAUSTED')).toBe(1);
    expect(await counted(metrics, 'INTERNAL')).toBe(1);
  });

  it('streams in order and reports an error raised after some messages', async () => {
    const client = createInProcessClient(InferenceService, () =>
      target(serviceRegistration(InferenceService, {
        async *generate(req) {
          for (const word of ['a', 'b', 'c']) yield { event: { case: 'delta', value: { text: word } } };
          if (req.model === 'breaks') throw new ConnectError('upstream cut the stream', Code.Unavailable);
          yield { event: { case: 'done', value: { finishReason: 'stop' } } };
        },
      })),
    );
    const got: string[] = [];
    for await (const m of client.generate({ model: 'ok' })) got.push(m.event.case === 'delta' ? m.event.value.text : String(m.event.case));
    expect(got).toEqual(['a', 'b', 'c', 'done']);
    const partial: string[] = [];
    const failing = (async () => {
      for await (const m of client.generate({ model: 'breaks' })) if (m.event.case === 'delta') partial.push(m.event.value.text);
    })();
    await expect(failing).rejects.toMatchObject({ code: Code.Unavailable });
    expect(partial).toEqual(['a', 'b', 'c']);
  });

  it('cancels the handler when the caller aborts or stops iterating, and leaves completed calls alone', async () => {
    const signals: AbortSignal[] = [];
    const client = createInProcessClient(InferenceService, () =>
      target(serviceRegistration(InferenceService, {
        async *generate(req, ctx) {
          signals.push(ctx.signal);
          yield { event: { case: 'delta', value: { text: 'first' } } };
          if (req.model === 'short') return;
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        },
      })),
    );
    const ac = new AbortController();
    const consume = (async () => {
      for await (const _m of client.generate({}, { signal: ac.signal })) ac.abort();
    })();
    await expect(consume).rejects.toMatchObject({ code: Code.Canceled });
    expect(signals[0]!.aborted).toBe(true);
    for await (const _m of client.generate({})) break;
    expect(signals[1]!.aborted).toBe(true);
    for await (const _m of client.generate({ model: 'short' })) void _m;
    expect(signals[2]!.aborted).toBe(false);
  });

  it('propagates request id, a child trace and the shrinking deadline, taken when the call is made', async () => {
    let seen: { requestId?: string; traceId?: string; spanId?: string; timeoutMs?: number | undefined; header?: string | null } = {};
    const client = createInProcessClient(ClassifierService, () =>
      target(serviceRegistration(ClassifierService, {
        classify(_req, ctx) {
          const cc = currentCallContext();
          seen = { requestId: cc?.requestId, traceId: cc?.trace.traceId, spanId: cc?.trace.spanId, timeoutMs: ctx.timeoutMs(), header: ctx.requestHeader.get('x-tenant') };
          return {};
        },
      })),
    );
    const outer = callContextFromHeaders(new Headers({ 'x-request-id': 'req-123', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }), { method: 'test', timeoutMs: 2000 });
    const call = runWithCallContext(outer, () => client.classify({}, { headers: { 'x-tenant': 'acme' } }));
    await call;
    expect(seen.requestId).toBe('req-123');
    expect(seen.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(seen.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(seen.spanId).not.toBe('b7ad6b7169203331');
    expect(seen.header).toBe('acme');
    expect(seen.timeoutMs!).toBeLessThanOrEqual(2000);
    expect(seen.timeoutMs!).toBeGreaterThan(0);
  });

  it('ends a call at its deadline with DEADLINE_EXCEEDED even when the handler ignores its signal', async () => {
    const client = createInProcessClient(ClassifierService, () =>
      target(serviceRegistration(ClassifierService, { classify: () => new Promise(() => undefined) })),
    );
    await expect(client.classify({}, { timeoutMs: 20 })).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    const spent = callContextFromHeaders(new Headers(), { method: 'test', timeoutMs: 0 });
    await expect(runWithCallContext(spent, () => client.classify({}))).rejects.toMatchObject({ code: Code.DeadlineExceeded });
  });

  it('ends running streams when the callee host shuts down, as a draining server does', async () => {
    const shutdown = new AbortController();
    const client = createInProcessClient(InferenceService, () =>
      target(serviceRegistration(InferenceService, {
        async *generate(_req, ctx) {
          yield { event: { case: 'delta', value: { text: 'x' } } };
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        },
      }), { shutdown }),
    );
    const consume = (async () => {
      for await (const _m of client.generate({})) shutdown.abort(new ConnectError('server is shutting down', Code.Unavailable));
    })();
    await expect(consume).rejects.toMatchObject({ code: Code.Unavailable });
  });

  it('behaves like the same handler served over a real gRPC socket', async () => {
    const registration = serviceRegistration(ClassifierService, {
      classify(req) {
        if (req.messages.length === 0) throw new ConnectError('messages: must not be empty', Code.InvalidArgument);
        return { tier: Tier.COMPLEX, score: 0.75, promptTokens: req.messages.length };
      },
    });
    const server = await startGrpcServer({ services: [registration], logger });
    try {
      const wire = createServiceClient(ClassifierService, server.address);
      const local = createInProcessClient(ClassifierService, () => target(registration));
      const request = { messages: [{ content: 'a' }, { content: 'b' }] };
      expect(await local.classify(request)).toEqual(await wire.classify(request));
      const errors = await Promise.all([wire, local].map((c) => c.classify({}).then(() => undefined, (e: unknown) => e as ConnectError)));
      expect(errors.map((e) => [e?.code, e?.rawMessage])).toEqual([[Code.InvalidArgument, 'messages: must not be empty'], [Code.InvalidArgument, 'messages: must not be empty']]);
    } finally {
      await server.shutdown(100);
    }
  });
});

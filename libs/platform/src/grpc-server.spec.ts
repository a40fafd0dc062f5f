import http2 from 'node:http2';
import { Code, ConnectError } from '@connectrpc/connect';
import { ClassifierService } from '@sophia/contracts/classifier';
import { InferenceService } from '@sophia/contracts/inference';
import { Tier } from '@sophia/contracts/common';
import { pino } from 'pino';
import { callContextFromHeaders, currentCallContext, runWithCallContext } from './call-context.ts';
import { startGrpcServer, serviceRegistration, type RunningGrpcServer, type ServiceRegistration } from './grpc-server.ts';
import { createServiceClient as createClientWith, type ClientTransport } from './service-client.ts';
import { createServiceMetrics } from './service-metrics.ts';
import { checkHealth, listServicesByReflection } from './testing/grpc-probes.ts';

const logger = pino({ level: 'silent' });

describe.each<ClientTransport>(['connect', 'grpc-js'])('startGrpcServer (real sockets, port 0), %s client', (transport) => {
  const createServiceClient: typeof createClientWith = (service, address) => createClientWith(service, address, { transport });
  const servers: RunningGrpcServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.shutdown(100)));
  });

  async function start(registration: ServiceRegistration): Promise<RunningGrpcServer> {
    const metrics = createServiceMetrics('test', { collectDefaults: false });
    const server = await startGrpcServer({ services: [registration], logger, metrics });
    servers.push(server);
    return server;
  }

  it('serves unary calls and maps ConnectError codes and messages 1:1', async () => {
    const server = await start(serviceRegistration(ClassifierService,
      {
        classify(req) {
          if (req.messages.length === 0) throw new ConnectError('messages: must not be empty', Code.InvalidArgument);
          return { tier: Tier.BALANCED, score: 0.5, promptTokens: 7 };
        },
      },
    ));
    const client = createServiceClient(ClassifierService, server.address);
    const res = await client.classify({ messages: [{ content: 'hi' }] });
    expect(res.tier).toBe(Tier.BALANCED);
    expect(res.promptTokens).toBe(7);
    await expect(client.classify({ messages: [] })).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: 'messages: must not be empty' });
  });

  it('turns an unexpected exception into INTERNAL without leaking its message', async () => {
    const server = await start(serviceRegistration(ClassifierService, { classify: () => { throw new Error('secret db password in stack'); } }));
    const client = createServiceClient(ClassifierService, server.address);
    const err = await client.classify({}).then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(err?.code).toBe(Code.Internal);
    expect(err?.rawMessage).not.toContain('secret');
  });

  it('streams messages in order and reports an error raised after some of them', async () => {
    const server = await start(serviceRegistration(InferenceService,
      {
        async *generate(req) {
          for (const word of ['a', 'b', 'c']) yield { event: { case: 'delta', value: { text: word } } };
          if (req.model === 'breaks') throw new ConnectError('upstream cut the stream', Code.Unavailable);
          yield { event: { case: 'done', value: { finishReason: 'stop' } } };
        },
      },
    ));
    const client = createServiceClient(InferenceService, server.address);
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

  it('aborts the handler signal when the client cancels a stream', async () => {
    let aborted!: () => void;
    const abortedP = new Promise<void>((r) => (aborted = r));
    const server = await start(serviceRegistration(InferenceService,
      {
        async *generate(_req, ctx) {
          ctx.signal.addEventListener('abort', () => aborted());
          yield { event: { case: 'delta', value: { text: 'first' } } };
          await new Promise((r) => setTimeout(r, 60_000).unref());
        },
      },
    ));
    const client = createServiceClient(InferenceService, server.address);
    const ac = new AbortController();
    const consume = (async () => {
      for await (const _m of client.generate({}, { signal: ac.signal })) ac.abort();
    })();
    await expect(consume).rejects.toMatchObject({ code: Code.Canceled });
    await abortedP;
  });

  it('leaves the signal of a call that completed alone (grpc-js reports every ended call as cancelled)', async () => {
    const signals: AbortSignal[] = [];
    const server = await start(serviceRegistration(InferenceService,
      {
        async *generate(_req, ctx) {
          signals.push(ctx.signal);
          yield { event: { case: 'done', value: { finishReason: 'stop' } } };
        },
      },
    ));
    const unary = await start(serviceRegistration(ClassifierService, { classify: (_req, ctx) => (signals.push(ctx.signal), { tier: Tier.SIMPLE }) }));
    const client = createServiceClient(InferenceService, server.address);
    for await (const _m of client.generate({})) void _m;
    await createServiceClient(ClassifierService, unary.address).classify({ messages: [{ content: 'hi' }] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(signals).toHaveLength(2);
    expect(signals.map((s) => s.aborted)).toEqual([false, false]);
  });

  it('propagates request id, trace and a shrinking deadline to the next hop', async () => {
    let seen: { requestId?: string; traceId?: string; timeoutMs?: number | undefined; grpcTimeout?: string | null } = {};
    const downstream = await start(serviceRegistration(ClassifierService,
      {
        classify(_req, ctx) {
          const cc = currentCallContext();
          seen = { requestId: cc?.requestId, traceId: cc?.trace.traceId, timeoutMs: ctx.timeoutMs(), grpcTimeout: ctx.requestHeader.get('grpc-timeout') };
          return {};
        },
      },
    ));
    const downClient = createServiceClient(ClassifierService, downstream.address);
    let upstreamTrace = '';
    const upstream = await start(serviceRegistration(InferenceService,
      {
        async listModels() {
          upstreamTrace = currentCallContext()!.trace.traceId;
          await downClient.classify({});
          return {};
        },
      },
    ));
    const client = createServiceClient(InferenceService, upstream.address);
    await client.listModels({}, { timeoutMs: 2000, headers: { 'x-request-id': 'req-123', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
    expect(seen.requestId).toBe('req-123');
    expect(upstreamTrace).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(seen.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(seen.timeoutMs).toBeDefined();
    expect(seen.timeoutMs!).toBeLessThanOrEqual(2000);
    expect(seen.timeoutMs!).toBeGreaterThan(0);
  });

  it('takes the context when a stream call is made, even if it is iterated outside that scope', async () => {
    let seenId: string | null = null;
    const server = await start(serviceRegistration(InferenceService, {
      async *generate(_req, ctx) {
        seenId = ctx.requestHeader.get('x-request-id');
        yield { event: { case: 'done', value: {} } };
      },
    }));
    const client = createServiceClient(InferenceService, server.address);
    const ctx = callContextFromHeaders(new Headers({ 'x-request-id': 'outer-1' }), { method: 'test', timeoutMs: 5000 });
    const stream = runWithCallContext(ctx, () => client.generate({}));
    for await (const _m of stream) void 0;
    expect(seenId).toBe('outer-1');
  });

  it('answers grpc.health.v1 and reflection, and goes NOT_SERVING on shutdown', async () => {
    const server = await start(serviceRegistration(ClassifierService, { classify: () => ({}) }));
    expect(await checkHealth(server.address)).toBe('SERVING');
    expect(await checkHealth(server.address, 'sophia.classifier.v1.ClassifierService')).toBe('SERVING');
    const services = await listServicesByReflection(server.address);
    expect(services).toEqual(['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection', 'sophia.classifier.v1.ClassifierService']);
    server.setServing(false);
    expect(await checkHealth(server.address)).toBe('NOT_SERVING');
  });

  it('drains: a stream still running at shutdown is ended within the grace period', async () => {
    const server = await start(serviceRegistration(InferenceService,
      {
        async *generate(_req, ctx) {
          yield { event: { case: 'delta', value: { text: 'x' } } };
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        },
      },
    ));
    const client = createServiceClient(InferenceService, server.address);
    const consume = (async () => {
      for await (const _m of client.generate({})) void 0;
    })().then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    await new Promise((r) => setTimeout(r, 50));
    await server.shutdown(400);
    expect((await consume)?.code).toBe(Code.Unavailable);
  });
});

describe('startGrpcServer sockets', () => {
  it('accepts connections with TCP_NODELAY (no delayed-ACK wait between the frames of a stream)', async () => {
    const createServer = jest.spyOn(http2, 'createServer');
    const server = await startGrpcServer({ services: [serviceRegistration(ClassifierService, { classify: () => ({}) })], logger });
    try {
      expect(createServer).toHaveBeenCalled();
      for (const [options] of createServer.mock.calls) expect(options).toMatchObject({ noDelay: true });
    } finally {
      createServer.mockRestore();
      await server.shutdown(100);
    }
  });
});

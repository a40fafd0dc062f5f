import { Writable } from 'node:stream';
import { ClassifierService } from '@sophia/contracts/classifier';
import { InferenceService } from '@sophia/contracts/inference';
import { context, propagation, SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';
import { createCallContext, runWithCallContext } from '../call-context.ts';
import { loadConfig } from '../config-loader.ts';
import { startGrpcServer, serviceRegistration } from '../grpc-server.ts';
import { createInProcessClient } from '../hosting/in-process-client.ts';
import { createLogger } from '../logger.ts';
import { createServiceClient } from '../service-client.ts';
import { startRpcServerSpan, endRpcSpan } from './rpc-spans.ts';
import { createServiceTelemetry } from './service-telemetry.ts';
import type { ServiceTelemetry } from './service-telemetry-types.ts';
import { telemetryConfigSchema } from './telemetry-config.ts';

const silent = pino({ level: 'silent' });
const INCOMING_TRACE = '0af7651916cd43dd8448eb211c80319c';
const INCOMING_SPAN = 'b7ad6b7169203331';

function telemetryFor(service: string, exporter: InMemorySpanExporter): ServiceTelemetry {
  return createServiceTelemetry({ service, config: loadConfig(telemetryConfigSchema, { env: {} }), spanExporter: exporter });
}

/** Runs `fn` as if serving a call of `telemetry`'s service that arrived with the incoming traceparent. */
async function asServedCall<T>(telemetry: ServiceTelemetry, fn: () => Promise<T>): Promise<T> {
  const headers = new Headers({ traceparent: `00-${INCOMING_TRACE}-${INCOMING_SPAN}-01`, 'x-request-id': 'req-1' });
  const server = startRpcServerSpan(telemetry, headers, ClassifierService, ClassifierService.method.classify, 'grpc');
  try {
    return await runWithCallContext(createCallContext({ requestId: 'req-1', deadline: undefined, method: 'test' }, server.context), fn);
  } finally {
    endRpcSpan(server.span, 0);
  }
}

const byName = (spans: readonly ReadableSpan[], name: string, kind: SpanKind): ReadableSpan => {
  const found = spans.find((s) => s.name === name && s.kind === kind);
  if (!found) throw new Error(`no ${SpanKind[kind]} span ${name} among ${spans.map((s) => `${SpanKind[s.kind]} ${s.name}`).join(', ')}`);
  return found;
};

async function spansWhen(exporter: InMemorySpanExporter, ready: (spans: ReadableSpan[]) => boolean): Promise<ReadableSpan[]> {
  // The server side of a socket ends its span on its own schedule: wait for it, a bounded number of turns.
  for (let i = 0; i < 200 && !ready(exporter.getFinishedSpans()); i++) await new Promise((r) => setTimeout(r, 10));
  return exporter.getFinishedSpans();
}

describe('RPC spans and propagation through OpenTelemetry', () => {
  it('in process: the caller’s client span and the callee’s server span continue the incoming trace, each under its own service', async () => {
    const exporter = new InMemorySpanExporter();
    const router = telemetryFor('router', exporter);
    const classifier = telemetryFor('classifier', exporter);
    const client = createInProcessClient(ClassifierService, () => ({
      impl: serviceRegistration(ClassifierService, { classify: () => ({ promptTokens: 3 }) }).impl,
      logger: silent,
      shutdownSignal: new AbortController().signal,
      telemetry: classifier,
    }));
    await asServedCall(router, () => client.classify({ messages: [{ content: 'secret prompt' }] }));
    const spans = exporter.getFinishedSpans();
    const name = 'sophia.classifier.v1.ClassifierService/Classify';
    const served = spans.find((s) => s.kind === SpanKind.SERVER && s.resource.attributes['service.name'] === 'sophia-router')!;
    const clientSpan = byName(spans, name, SpanKind.CLIENT);
    const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER && s.resource.attributes['service.name'] === 'sophia-classifier')!;
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([INCOMING_TRACE]));
    expect(served.parentSpanContext?.spanId).toBe(INCOMING_SPAN);
    expect(clientSpan.parentSpanContext?.spanId).toBe(served.spanContext().spanId);
    expect(clientSpan.resource.attributes['service.name']).toBe('sophia-router');
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    expect(serverSpan.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.service': 'sophia.classifier.v1.ClassifierService', 'rpc.method': 'Classify', 'sophia.transport': 'in-process', 'rpc.grpc.status_code': 0 });
    expect(JSON.stringify(spans.map((s) => [s.attributes, s.events]))).not.toContain('secret prompt');
  });

  it('in process: the callee’s server span has the caller’s client span as a remote parent, and the caller’s baggage arrives too', async () => {
    const exporter = new InMemorySpanExporter();
    const router = telemetryFor('router', exporter);
    const classifier = telemetryFor('classifier', exporter);
    const seen: Array<string | undefined> = [];
    const client = createInProcessClient(ClassifierService, () => ({
      impl: serviceRegistration(ClassifierService, {
        classify: () => {
          seen.push(propagation.getBaggage(context.active())?.getEntry('tenant')?.value);
          return {};
        },
      }).impl,
      logger: silent,
      shutdownSignal: new AbortController().signal,
      telemetry: classifier,
    }));
    await asServedCall(router, () => client.classify({}));
    const baggage = propagation.createBaggage({ tenant: { value: 'acme' } });
    await asServedCall(router, () => context.with(propagation.setBaggage(context.active(), baggage), () => client.classify({})));
    expect(seen).toEqual([undefined, 'acme']);
    const servers = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER && s.resource.attributes['service.name'] === 'sophia-classifier');
    expect(servers).toHaveLength(2);
    for (const server of servers) expect(server.parentSpanContext?.isRemote).toBe(true);
  });

  it('over a real socket: a cancelled stream ends the client and the server span as CANCELLED', async () => {
    const exporter = new InMemorySpanExporter();
    const router = telemetryFor('router', exporter);
    const gpu = telemetryFor('gpu-inference', exporter);
    const server = await startGrpcServer({
      logger: silent,
      telemetry: gpu,
      services: [
        serviceRegistration(InferenceService, {
          async *generate(_req, ctx) {
            yield { event: { case: 'delta', value: { text: 'first' } } };
            await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          },
        }),
      ],
    });
    try {
      const client = createServiceClient(InferenceService, server.address, { transport: 'grpc-js' });
      await asServedCall(router, async () => {
        for await (const _m of client.generate({})) break;
      });
      const name = 'sophia.inference.v1.InferenceService/Generate';
      const spans = await spansWhen(exporter, (s) => s.some((x) => x.name === name && x.kind === SpanKind.SERVER));
      const clientSpan = byName(spans, name, SpanKind.CLIENT);
      const serverSpan = byName(spans, name, SpanKind.SERVER);
      expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
      expect(serverSpan.spanContext().traceId).toBe(INCOMING_TRACE);
      expect(clientSpan.attributes['rpc.grpc.status_code']).toBe(1);
      expect(serverSpan.attributes['rpc.grpc.status_code']).toBe(1);
      expect(serverSpan.resource.attributes['service.name']).toBe('sophia-gpu-inference');
    } finally {
      await server.shutdown(100);
    }
  });

  it('log lines carry the active span’s trace and span id even when nothing is exported', async () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'test', destination: new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }) });
    const idsOnly = createServiceTelemetry({ service: 'router', config: loadConfig(telemetryConfigSchema, { env: {} }) });
    expect(idsOnly.recording).toBe(false);
    await asServedCall(idsOnly, async () => logger.info('inside'));
    logger.info('outside');
    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(inside).toMatchObject({ requestId: 'req-1', traceId: INCOMING_TRACE });
    expect(inside!['spanId']).toMatch(/^[0-9a-f]{16}$/);
    expect(inside!['spanId']).not.toBe(INCOMING_SPAN);
    expect(outside!['traceId']).toBeUndefined();
  });
});

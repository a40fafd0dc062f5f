import { randomBytes } from 'node:crypto';
import type { Mesh } from '@sophia/dev';
import { startJaeger, type JaegerSpan, type JaegerTrace, type TestJaeger } from './jaeger-fixture.ts';
import { setSimulatorFault, startTestMesh } from './mesh-fixture.ts';
import { screenshotTrace } from './trace-screenshot.ts';

type Span = JaegerTrace['spans'][number];

const API_KEY = 'test-key-acme';
const SECRET = 'PROMPT-SECRET-7f3a9c';
const WEATHER = 'Tell me about the weather in spring.';

const tag = (span: JaegerSpan, key: string): unknown => span.tags.find((t) => t.key === key)?.value;
const kind = (span: JaegerSpan): unknown => tag(span, 'span.kind');
const parentId = (span: JaegerSpan): string | undefined => span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;

/** A fresh W3C trace the client starts, so each test finds its own trace by id. */
function clientTrace(): { traceId: string; spanId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}

function chat(mesh: Mesh, traceparent: string, content: string, extra: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${mesh.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', traceparent },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }], max_tokens: 16, ...extra }),
    ...(signal ? { signal } : {}),
  });
}

/** Polls Jaeger until the trace holds spans satisfying `ready` (export is batched), a bounded number of times. */
async function traceWhen(jaeger: TestJaeger, traceId: string, ready: (spans: readonly Span[]) => boolean): Promise<JaegerTrace> {
  let last: JaegerTrace | undefined;
  for (let i = 0; i < 150; i++) {
    last = await jaeger.trace(traceId);
    if (last && ready(last.spans)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`trace ${traceId} never complete; spans: ${last?.spans.map((s) => `${s.service}:${s.operationName}`).join(', ') ?? 'none'}`);
}

/** The names (service: operation) from `span` up to the root of its trace. */
function ancestry(trace: JaegerTrace, span: Span): string[] {
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  const chain: string[] = [];
  for (let s: Span | undefined = span; s; s = byId.get(parentId(s) ?? '')) chain.push(`${s.service}: ${s.operationName} [${String(kind(s))}]`);
  return chain;
}

const gatewaySpan = (spans: readonly Span[]): Span | undefined => spans.find((s) => s.service === 'sophia-gateway' && s.operationName === 'POST /v1/chat/completions');

describe('one trace per request, exported to a real Jaeger', () => {
  let jaeger: TestJaeger;
  let mesh: Mesh;
  beforeAll(async () => {
    jaeger = await startJaeger();
    try {
      mesh = await startTestMesh({ OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' });
    } catch (err) {
      await jaeger.stop();
      throw err;
    }
  }, 120_000);
  afterAll(async () => {
    await mesh?.stop();
    await jaeger?.stop();
  });

  it('a request through the gateway is one trace, parented from the client’s traceparent down to the model call, with GenAI attributes and no prompt or key', async () => {
    const client = clientTrace();
    const res = await chat(mesh, client.header, `What is the capital of France? ${SECRET}`);
    expect(res.status).toBe(200);
    await res.text();
    const trace = await traceWhen(jaeger, client.traceId, (spans) => gatewaySpan(spans) !== undefined && spans.some((s) => s.operationName.startsWith('chat ')));
    const model = trace.spans.find((s) => s.operationName.startsWith('chat '))!;
    const chain = ancestry(trace, model);
    const backend = model.service;
    expect(['sophia-serverless-inference', 'sophia-gpu-inference']).toContain(backend);
    expect(chain.map((c) => c.replace(/attempt \S+/, 'attempt'))).toEqual([
      `${backend}: ${model.operationName} [client]`,
      `${backend}: sophia.inference.v1.InferenceService/Generate [server]`,
      'sophia-router: sophia.inference.v1.InferenceService/Generate [client]',
      'sophia-router: attempt [internal]',
      'sophia-router: leg [internal]',
      'sophia-router: sophia.router.v1.RouterService/Generate [server]',
      'sophia-gateway: sophia.router.v1.RouterService/Generate [client]',
      'sophia-gateway: POST /v1/chat/completions [server]',
    ]);
    // The gateway continued the client's trace: its span's parent is the client's span.
    expect(parentId(gatewaySpan(trace.spans)!)).toBe(client.spanId);
    expect(tag(model, 'gen_ai.operation.name')).toBe('chat');
    for (const key of ['gen_ai.provider.name', 'gen_ai.request.model', 'gen_ai.response.model', 'gen_ai.response.finish_reasons']) expect(tag(model, key)).toBeTruthy();
    expect(Number(tag(model, 'gen_ai.usage.input_tokens'))).toBeGreaterThan(0);
    expect(Number(tag(model, 'gen_ai.usage.output_tokens'))).toBeGreaterThan(0);
    expect(Number(tag(model, 'sophia.ttft_ms'))).toBeGreaterThanOrEqual(0);
    const routerServer = trace.spans.find((s) => s.service === 'sophia-router' && kind(s) === 'server' && s.operationName.endsWith('/Generate'))!;
    expect(tag(routerServer, 'sophia.tenant')).toBe('acme');
    expect(tag(routerServer, 'sophia.tier')).toBeTruthy();
    expect(Number(tag(routerServer, 'sophia.cost_micro_usd'))).toBeGreaterThan(0);
    const names = trace.spans.map((s) => s.operationName);
    for (const step of ['route', 'budget.reserve', 'budget.commit', 'sophia.ledger.v1.LedgerService/Reserve', 'sophia.ledger.v1.LedgerService/Commit', 'sophia.classifier.v1.ClassifierService/Classify', 'classify']) {
      expect(names).toContain(step);
    }
    const route = trace.spans.find((s) => s.operationName === 'route')!;
    for (const key of ['sophia.tier', 'gen_ai.request.model', 'sophia.backend', 'sophia.reasons']) expect(tag(route, key)).toBeDefined();
    // The GenAI metrics of the service that made the model call, beside its other Prometheus metrics.
    const metricsUrl = String(mesh.services[backend.replace(/^sophia-/, '')]?.ready['metrics']);
    const metrics = await (await fetch(metricsUrl)).text();
    expect(metrics).toMatch(/gen_ai_client_token_usage_bucket\{[^}]*gen_ai_operation_name="chat"[^}]*gen_ai_token_type="input"/);
    expect(metrics).toMatch(/gen_ai_client_operation_duration_seconds_count\{[^}]*gen_ai_provider_name="[^"]+"/);
    expect(metrics).toMatch(/gen_ai_server_time_to_first_token_seconds_count\{/);
    const everything = JSON.stringify(trace.spans.map((s) => [s.tags, s.logs]));
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(API_KEY);
  });

  it('a fallback shows both attempts: the failed one and the one that answered, under the same leg', async () => {
    await setSimulatorFault(mesh.upstreams.serverless, { kind: 'status', code: 503, count: 1 });
    try {
      const client = clientTrace();
      const res = await chat(mesh, client.header, WEATHER);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { sophia: { backend: string; fallback: boolean } };
      expect(body.sophia.fallback).toBe(true);
      const trace = await traceWhen(jaeger, client.traceId, (spans) => gatewaySpan(spans) !== undefined && spans.filter((s) => s.operationName.startsWith('attempt ')).length >= 2);
      const attempts = trace.spans.filter((s) => s.operationName.startsWith('attempt ')).sort((a, b) => Number(tag(a, 'sophia.attempt')) - Number(tag(b, 'sophia.attempt')));
      expect(attempts.map((a) => [tag(a, 'sophia.backend'), tag(a, 'sophia.outcome')])).toEqual([
        ['serverless', 'failed'],
        ['gpu', 'opened'],
      ]);
      expect(attempts.every((a) => typeof tag(a, 'sophia.breaker.state') === 'string')).toBe(true);
      expect(parentId(attempts[0]!)).toBe(parentId(attempts[1]!));
      const leg = trace.spans.find((s) => s.spanID === parentId(attempts[0]!))!;
      expect(leg.operationName).toBe('leg');
      expect(leg.logs.some((l) => l.fields.some((f) => f.key === 'event' && f.value === 'fallback'))).toBe(true);
      // The failed model call is recorded on its own span, marked failed.
      const failedCall = trace.spans.find((s) => s.operationName.startsWith('chat ') && s.service === 'sophia-serverless-inference');
      expect(tag(failedCall!, 'error')).toBe(true);
    } finally {
      await setSimulatorFault(mesh.upstreams.serverless, undefined);
    }
  });

  it('a cancelled stream ends its spans: gateway, router, attempt, backend and model call', async () => {
    const client = clientTrace();
    const abort = new AbortController();
    const res = await chat(mesh, client.header, `${WEATHER} [[sim:fault=stall-mid;after=2]]`, { stream: true }, abort.signal);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    await reader.cancel().catch(() => undefined);
    // Spans are exported only once ended: finding them is the proof they ended.
    const trace = await traceWhen(jaeger, client.traceId, (spans) =>
      gatewaySpan(spans) !== undefined &&
      spans.some((s) => s.service === 'sophia-router' && kind(s) === 'server' && s.operationName.endsWith('RouterService/Generate')) &&
      spans.some((s) => s.operationName.startsWith('chat ')) &&
      spans.some((s) => s.operationName === 'budget.commit'),
    );
    expect(tag(gatewaySpan(trace.spans)!, 'sophia.aborted')).toBe(true);
    const routerServer = trace.spans.find((s) => s.service === 'sophia-router' && kind(s) === 'server' && s.operationName.endsWith('RouterService/Generate'))!;
    expect(tag(routerServer, 'rpc.grpc.status_code')).toBe(1);
    const model = trace.spans.find((s) => s.operationName.startsWith('chat '))!;
    expect(tag(model, 'sophia.cancelled')).toBe(true);
    const leg = trace.spans.find((s) => s.operationName === 'leg')!;
    expect(tag(leg, 'sophia.outcome')).toBe('cancelled');
  });

  it('a screenshot of a request’s trace as Jaeger stored it (reports/tracing)', async () => {
    const client = clientTrace();
    const res = await chat(mesh, client.header, WEATHER);
    expect(res.status).toBe(200);
    await res.text();
    const trace = await traceWhen(jaeger, client.traceId, (spans) => gatewaySpan(spans) !== undefined && spans.some((s) => s.operationName.startsWith('chat ')) && spans.some((s) => s.operationName === 'budget.commit'));
    const source = `${jaeger.queryUrl}/api/traces/${client.traceId} — POST /v1/chat/completions, SOPHIA_DEPLOYMENT=${mesh.deployment}`;
    const shot = await screenshotTrace(trace, source, `jaeger-trace-${mesh.deployment}.png`);
    expect(shot.text).toContain('POST /v1/chat/completions');
    expect(shot.text).toContain('chat ');
    expect(shot.text).toContain('RouterService/Generate');
  }, 60_000);
});

import { createClient } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { Backend, Role } from '@sophia/contracts/common';
import { ChatService } from '@sophia/contracts/gateway';
import { BudgetWindow, Dimension, LedgerService } from '@sophia/contracts/ledger';
import { createServiceClient } from '@sophia/platform';
import { checkHealth, listServicesByReflection } from '@sophia/platform/testing';
import { meshForSuite, setSimulatorFault } from './mesh-fixture.ts';

const mesh = meshForSuite();

const auth = () => ({ authorization: `Bearer ${mesh().apiKey}` });
const chatBody = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }], max_tokens: 16, ...extra });

describe('the mesh as real processes', () => {
  it('every internal service answers grpc.health.v1 and reflection', async () => {
    const internal = ['classifier', 'ledger', 'serverless-inference', 'gpu-inference', 'router'];
    for (const name of internal) {
      const address = String(mesh().services[name]!.ready['grpc']);
      expect(await checkHealth(address)).toBe('SERVING');
      const services = await listServicesByReflection(address);
      expect(services.some((s) => s.startsWith('sophia.'))).toBe(true);
    }
  });

  it('every process exports Prometheus metrics', async () => {
    for (const s of Object.values(mesh().services)) {
      const url = s.ready['metrics'];
      if (typeof url !== 'string') continue;
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/# TYPE/);
    }
  });

  it('answers an OpenAI chat completion with the routing decision in headers and body', async () => {
    const res = await fetch(`${mesh().gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json', 'x-request-id': 'e2e-json-1' },
      body: chatBody('Say hello.'),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('e2e-json-1');
    expect(res.headers.get('x-sophia-backend')).toBe('serverless');
    expect(res.headers.get('x-sophia-tier')).toMatch(/simple|balanced|complex/);
    const body = (await res.json()) as {
      choices: Array<{ message: { content: string }; finish_reason: string }>;
      usage: { prompt_tokens: number; completion_tokens: number };
      sophia: { backend: string; model: string; fallback: boolean; cost_usd: string; worst_case_cost_usd: string; estimated_cost_usd: string };
    };
    expect(body.choices[0]!.message.content).toMatch(/simulated/i);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    expect(body.sophia.backend).toBe('serverless');
    expect(body.sophia.fallback).toBe(false);
    expect(Number(body.sophia.cost_usd)).toBeGreaterThan(0);
    // The reservation (priced before the call, every allowed token) bounds the bill; the old name is its alias.
    expect(Number(body.sophia.worst_case_cost_usd)).toBeGreaterThanOrEqual(Number(body.sophia.cost_usd));
    expect(body.sophia.estimated_cost_usd).toBe(body.sophia.worst_case_cost_usd);
  });

  it('streams an OpenAI SSE completion ending in [DONE] with a usage chunk', async () => {
    const res = await fetch(`${mesh().gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: chatBody('Tell me a fact.', { stream: true, stream_options: { include_usage: true } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await res.text();
    const data = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { choices: Array<{ delta?: { content?: string } }>; usage?: { completion_tokens: number } });
    const content = chunks.flatMap((c) => c.choices.map((x) => x.delta?.content ?? '')).join('');
    expect(content).toMatch(/simulated/i);
    expect(chunks.some((c) => (c.usage?.completion_tokens ?? 0) > 0)).toBe(true);
  });

  it('serves ChatService over Connect (HTTP/1.1), gRPC (HTTP/2) and gRPC-Web', async () => {
    const headers = auth();
    const connect = createClient(ChatService, createConnectTransport({ baseUrl: mesh().gatewayUrl, httpVersion: '1.1' }));
    const res = await connect.complete({ input: { model: 'auto', messages: [{ role: Role.USER, content: 'Hi there' }] } }, { headers });
    expect(res.content).toMatch(/simulated/i);
    expect(res.decision?.backend).toBe(Backend.SERVERLESS);

    const grpc = createClient(ChatService, createGrpcTransport({ baseUrl: mesh().gatewayUrl }));
    let text = '';
    let sawDecision = false;
    let sawDone = false;
    for await (const m of grpc.completeStream({ input: { messages: [{ role: Role.USER, content: 'Stream please' }] } }, { headers })) {
      if (m.event.case === 'decision') sawDecision = true;
      if (m.event.case === 'delta') text += m.event.value;
      if (m.event.case === 'done') sawDone = (m.event.value.usage?.completionTokens ?? 0) > 0;
    }
    expect(sawDecision && sawDone).toBe(true);
    expect(text).toMatch(/simulated/i);

    const web = createClient(ChatService, createGrpcWebTransport({ baseUrl: mesh().gatewayUrl, httpVersion: '1.1' }));
    const models = await web.listModels({}, { headers });
    expect(models.models).toContain('auto');
  });

  it('falls back to the GPU backend when the serverless upstream fails', async () => {
    await setSimulatorFault(mesh().upstreams.serverless, { kind: 'status', code: 503 });
    try {
      const res = await fetch(`${mesh().gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: chatBody('Fallback please.'),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { choices: Array<{ message: { content: string } }>; sophia: { backend: string; fallback: boolean } };
      expect(body.sophia.backend).toBe('gpu');
      expect(body.sophia.fallback).toBe(true);
      expect(body.choices[0]!.message.content).toMatch(/simulated vllm/i);
      expect(res.headers.get('x-sophia-fallback')).toBe('true');
    } finally {
      await setSimulatorFault(mesh().upstreams.serverless, undefined);
    }
  });

  it('records every answered request in the ledger by tenant', async () => {
    const ledger = createServiceClient(LedgerService, String(mesh().services['ledger']!.ready['grpc']));
    const report = await ledger.queryUsage({ groupBy: [Dimension.TENANT, Dimension.BACKEND] });
    const acme = report.rows.filter((r) => r.keys[0] === 'acme');
    const requests = acme.reduce((n, r) => n + Number(r.requests), 0);
    expect(requests).toBeGreaterThanOrEqual(5);
    expect(acme.some((r) => r.keys[1] === 'gpu' || r.keys[1] === 'BACKEND_GPU')).toBe(true);
    expect(report.total?.cost?.microUsd ?? 0n).toBeGreaterThan(0n);
  });

  it('enforces a tenant budget: over budget is a 429 naming tenant, budget and reset, with no upstream call', async () => {
    const ledger = createServiceClient(LedgerService, String(mesh().services['ledger']!.ready['grpc']));
    await ledger.setBudget({ scope: { tenant: 'globex' }, window: BudgetWindow.DAY, limit: { microUsd: 1n }, actor: 'e2e', reason: 'budget test' });
    const res = await fetch(`${mesh().gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key-globex', 'content-type': 'application/json' },
      // 1,000 output tokens: the worst case is ≥ 40 µ$ even on the cheapest model, whatever tier the
      // classifier picks (16 tokens on the 8B model would fit inside the 1 µ$ budget).
      body: chatBody('This must not reach a model.', { max_tokens: 1000 }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/globex/);
    expect(body.error.message).toMatch(/resets at/);
    const acme = await fetch(`${mesh().gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: chatBody('Other tenants are unaffected.'),
    });
    expect(acme.status).toBe(200);
  });

  it('rejects a wrong API key with 401 and keeps serving good requests', async () => {
    const bad = await fetch(`${mesh().gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      body: chatBody('x'),
    });
    expect(bad.status).toBe(401);
    const good = await fetch(`${mesh().gatewayUrl}/v1/models`, { headers: auth() });
    expect(good.status).toBe(200);
  });
});

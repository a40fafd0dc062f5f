// The operator API as an operator uses it: plain-English commands through OperatorService (Connect,
// gRPC) and REST on a real mesh; writes as plans that change real router/ledger state only when
// confirmed; scopes and tenants enforced.
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { OperatorService, PlanStatus } from '@sophia/contracts/ops';
import { DashboardService } from '@sophia/contracts/dashboard';
import { ChatService } from '@sophia/contracts/gateway';
import { Role } from '@sophia/contracts/common';
import type { Mesh } from '@sophia/dev';
import { startTestMesh } from './mesh-fixture.ts';

let mesh: Mesh;

const KEYS = {
  // acme's operator: chats and runs commands on its own tenant.
  acme: 'k-acme-ops',
  // a read-only dashboard key of acme.
  reader: 'k-acme-reader',
  // a chat-only key (no scope list, as before scopes existed).
  globex: 'k-globex-chat',
  // the platform admin (tenant "platform").
  admin: 'k-admin',
  // a chat-only key of initech, whose rate limits the admin changes.
  initech: 'k-initech-chat',
};

beforeAll(async () => {
  mesh = await startTestMesh({
    SOPHIA_API_KEYS: `${KEYS.acme}:acme:chat+ops:write,${KEYS.reader}:acme:ops:read,${KEYS.globex}:globex,${KEYS.admin}:platform:admin,${KEYS.initech}:initech`,
    // The response cache is on by default (SOPHIA_CACHE_TTL_MS unset): only deterministic requests (temperature 0
    // or a seed) use it; the other tests' chats are sampled.
  });
}, 90_000);

afterAll(async () => {
  await mesh?.stop();
});

const headers = (key: string) => ({ authorization: `Bearer ${key}` });
const connect = () => createClient(OperatorService, createConnectTransport({ baseUrl: mesh.gatewayUrl, httpVersion: '1.1' }));
const grpc = () => createClient(OperatorService, createGrpcTransport({ baseUrl: mesh.gatewayUrl }));

async function chat(key: string, content: string): Promise<{ status: number; backend: string | undefined }> {
  const res = await fetch(`${mesh.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...headers(key), 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }], max_tokens: 8 }),
  });
  const body = (await res.json()) as { sophia?: { backend: string } };
  return { status: res.status, backend: body.sophia?.backend };
}

async function rest(key: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${mesh.gatewayUrl}${path}`, {
    method,
    headers: { ...headers(key), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function codeOf(p: Promise<unknown>): Promise<{ code: Code; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: e.code, message: e.rawMessage };
  }
  throw new Error('expected the call to fail');
}

describe('operator commands on a real mesh', () => {
  it('"Route next 10 queries to GPU for testing": a plan, then exactly the next 10 completions on GPU and the 11th not', async () => {
    const ops = connect();
    const before = await chat(KEYS.acme, 'Say hi.');
    expect(before.backend).toBe('serverless');
    const answer = await ops.runCommand({ text: 'Route next 10 queries to GPU for testing' }, { headers: headers(KEYS.acme) });
    expect(answer.command?.intent).toBe('route.next');
    expect(answer.command?.args).toEqual({ n: 10, backend: 'gpu' });
    expect(answer.outcome.case).toBe('plan');
    const plan = answer.outcome.case === 'plan' ? answer.outcome.value : undefined;
    expect(plan?.status).toBe(PlanStatus.PENDING);
    expect(plan?.summary).toMatch(/next 10 requests of tenant acme to gpu/);
    // Nothing changed yet: the plan is only a plan.
    expect((await chat(KEYS.acme, 'Say hi again.')).backend).toBe('serverless');

    const applied = await ops.confirmPlan({ planId: plan!.id }, { headers: headers(KEYS.acme) });
    expect(applied.plan?.status).toBe(PlanStatus.APPLIED);
    expect(applied.plan?.auditId).not.toBe('');
    const backends: Array<string | undefined> = [];
    for (let i = 0; i < 11; i++) backends.push((await chat(KEYS.acme, `Question number ${i}: what is ${i} + ${i}?`)).backend);
    expect(backends.slice(0, 10)).toEqual(Array(10).fill('gpu'));
    expect(backends[10]).toBe('serverless');
    // Another tenant's traffic was never steered.
    expect((await chat(KEYS.globex, 'Hello from globex.')).backend).toBe('serverless');

    // A replayed confirmation changes nothing and says why.
    const replay = await codeOf(ops.confirmPlan({ planId: plan!.id }, { headers: headers(KEYS.acme) }));
    expect(replay.code).toBe(Code.FailedPrecondition);
    expect(replay.message).toMatch(/already applied/);
  });

  it('reads answer at once: usage this week, savings vs the GPU baseline, serverless vs GPU, breakers (Connect, gRPC and REST)', async () => {
    const usage = await connect().runCommand({ text: 'Show Lambda Labs usage for this week' }, { headers: headers(KEYS.reader) });
    expect(usage.outcome.case).toBe('result');
    const result = usage.outcome.case === 'result' ? usage.outcome.value : undefined;
    expect(result?.summary).toMatch(/^Usage of tenant acme, \d{4}-\d{2}-\d{2} … before \d{4}-\d{2}-\d{2}: \d+ requests/);
    expect(result?.table?.columns).toContain('cost_usd');

    const analyzed = await grpc().runCommand({ text: 'Analyze Lambda usage for last 7 days' }, { headers: headers(KEYS.reader) });
    expect(analyzed.outcome.case).toBe('result');

    const savings = await rest(KEYS.reader, 'POST', '/v1/ops/run', { text: 'Show cost savings compared to GPU baseline' });
    expect(savings.status).toBe(200);
    expect((savings.json['result'] as { summary: string }).summary).toMatch(/always-on GPU fleet/);

    const compare = await rest(KEYS.admin, 'POST', '/v1/ops/run', { text: 'Compare costs between serverless and GPU' });
    expect(compare.status).toBe(200);
    expect((compare.json['result'] as { summary: string }).summary).toMatch(/all serverless vs .* all on GPU/);

    const breakers = await rest(KEYS.reader, 'POST', '/v1/ops/commands/breakers.show', {});
    expect(breakers.status).toBe(200);
    expect((breakers.json['result'] as { table: { columns: string[] } }).table.columns).toEqual(['target', 'state', 'consecutive_failures', 'window_fires', 'window_failures', 'window_rejects', 'changed_at']);
  });

  it('optimise computes from real usage; "Route complex queries to GPU instance" pins the tier (admin) and is visible, then cleared', async () => {
    const optimized = await connect().runCommand({ text: 'Optimize Lambda costs for daily reporting' }, { headers: headers(KEYS.admin) });
    expect(optimized.outcome.case).toBe('optimization');
    const pin = await connect().runCommand({ text: 'Route complex queries to GPU instance' }, { headers: headers(KEYS.admin) });
    expect(pin.command?.args).toEqual({ backend: 'gpu', tier: 'complex' });
    const planId = pin.outcome.case === 'plan' ? pin.outcome.value.id : '';
    const applied = await rest(KEYS.admin, 'POST', `/v1/ops/plans/${planId}/confirm`);
    expect(applied.status).toBe(200);
    const list = await rest(KEYS.admin, 'POST', '/v1/ops/commands/overrides.list', {});
    expect((list.json['result'] as { summary: string }).summary).toMatch(/backend gpu for tier complex/);
    const clear = await rest(KEYS.admin, 'POST', '/v1/ops/run', { text: 'clear all overrides' });
    const clearPlan = clear.json['plan'] as { id: string };
    expect((await rest(KEYS.admin, 'POST', `/v1/ops/plans/${clearPlan.id}/confirm`)).status).toBe(200);
    const after = await rest(KEYS.admin, 'POST', '/v1/ops/commands/overrides.list', {});
    expect((after.json['result'] as { summary: string }).summary).toBe('No routing overrides in force.');
  });

  it('budgets: set through a plan, then shown; amounts in words and bad amounts', async () => {
    const ops = connect();
    const set = await ops.runCommand({ text: "set acme's monthly budget to $2,500" }, { headers: headers(KEYS.acme) });
    const planId = set.outcome.case === 'plan' ? set.outcome.value.id : '';
    await ops.confirmPlan({ planId }, { headers: headers(KEYS.acme) });
    const shown = await ops.getBudget({}, { headers: headers(KEYS.acme) });
    expect(shown.result?.summary).toMatch(/monthly \$[\d.,]+ of \$2,500\.00/);
    expect(await codeOf(ops.setBudget({ amountUsd: -5 }, { headers: headers(KEYS.acme) }))).toEqual({ code: Code.InvalidArgument, message: 'amount_usd: must not be negative' });
    expect((await codeOf(ops.setBudget({ amountUsd: 1e12 }, { headers: headers(KEYS.acme) }))).message).toMatch(/^amount_usd: must be at most/);
  });
});

describe('GPU fleet through the operator API', () => {
  it('lists instances; a launch is a plan for admins only, applied by the fleet service', async () => {
    const list = await rest(KEYS.reader, 'POST', '/v1/ops/run', { text: 'list GPU instances' });
    expect(list.status).toBe(200);
    const mode = /\(fleet mode (\w+)\)/.exec((list.json['result'] as { summary: string }).summary)?.[1];
    expect(mode).toMatch(/^(plan|auto|off)$/);
    const denied = await rest(KEYS.acme, 'POST', '/v1/ops/commands/gpu.launch', { count: 1 });
    expect(denied.status).toBe(403);
    const planned = await rest(KEYS.admin, 'POST', '/v1/ops/run', { text: 'spin up one more GPU instance' });
    if (mode !== 'auto') {
      // No cloud API key (off) or a fleet that only recommends (plan): the refusal names why, nothing is planned.
      expect(planned.status).toBe(409);
      expect((planned.json['error'] as { message: string }).message).toMatch(mode === 'off' ? /^fleet management is not configured: the fleet is off/ : /^the GPU fleet is in plan mode/);
      return;
    }
    expect(planned.status).toBe(200);
    const plan = planned.json['plan'] as { id: string; summary: string };
    expect(plan.summary).toMatch(/^Launch 1 more \S+ instance for the \w+ pool/);
    const applied = await rest(KEYS.admin, 'POST', `/v1/ops/plans/${plan.id}/confirm`);
    expect((applied.json['result'] as { summary: string }).summary).toMatch(/pool now targets \d+ /);
  });
});

describe('operator commands in chat', () => {
  const chatClient = () => createClient(ChatService, createConnectTransport({ baseUrl: mesh.gatewayUrl, httpVersion: '1.1' }));
  const input = (content: string, operatorCommands: boolean) => ({ model: 'auto', messages: [{ role: Role.USER, content }], params: { maxTokens: 8 }, operatorCommands });

  it('ChatService answers a command as a command for an ops key that asks for it (unary and stream)', async () => {
    const answer = await chatClient().complete({ input: input('Show Lambda Labs usage for this week', true) }, { headers: headers(KEYS.acme) });
    expect(answer.finishReason).toBe('operator_command');
    expect(answer.operator?.outcome.case).toBe('result');
    expect(answer.content).toMatch(/^Usage of tenant acme/);
    expect(answer.decision).toBeUndefined();
    const events = [];
    for await (const ev of chatClient().completeStream({ input: input('Route next 3 queries to GPU', true) }, { headers: headers(KEYS.acme) })) events.push(ev.event.case);
    expect(events).toEqual(['operator', 'delta', 'done']);
    // An ordinary prompt still goes to a model.
    const normal = await chatClient().complete({ input: input('Write a haiku about GPUs', true) }, { headers: headers(KEYS.acme) });
    expect(normal.decision?.backend).toBeDefined();
    expect(normal.finishReason).not.toBe('operator_command');
  });

  it('a chat-only key and the OpenAI REST API never execute commands', async () => {
    const chatOnly = await chatClient().complete({ input: input('Route next 10 queries to GPU for testing', true) }, { headers: headers(KEYS.globex) });
    expect(chatOnly.operator).toBeUndefined();
    expect(chatOnly.decision).toBeDefined();
    const viaRest = await chat(KEYS.acme, 'Route next 10 queries to GPU for testing');
    expect(viaRest.status).toBe(200);
    expect(viaRest.backend).toBe('serverless');
    const overrides = await connect().listOverrides({}, { headers: headers(KEYS.admin) });
    expect(overrides.result?.summary).toBe('No routing overrides in force.');
  });
});

describe('operator permissions and bad input', () => {
  it('each scope gets exactly what it allows', async () => {
    const ops = connect();
    // chat-only key: no operator reads.
    expect(await codeOf(ops.getBreakers({}, { headers: headers(KEYS.globex) }))).toEqual({ code: Code.PermissionDenied, message: 'this API key lacks scope ops:read' });
    // read-only key: reads yes, plans no, chat no.
    expect((await ops.getBreakers({}, { headers: headers(KEYS.reader) })).result).toBeDefined();
    expect(await codeOf(ops.routeNext({ n: 5, backend: 'gpu' }, { headers: headers(KEYS.reader) }))).toEqual({ code: Code.PermissionDenied, message: 'this API key lacks scope ops:write' });
    expect((await chat(KEYS.reader, 'hi')).status).toBe(403);
    // tenant key: its own tenant only.
    const other = await codeOf(ops.getUsageReport({ tenant: 'globex' }, { headers: headers(KEYS.acme) }));
    expect(other.code).toBe(Code.PermissionDenied);
    expect(other.message).toMatch(/lacks scope admin to act on tenant globex/);
    expect(await codeOf(ops.splitTraffic({ serverlessPercent: 50 }, { headers: headers(KEYS.acme) }))).toEqual({ code: Code.PermissionDenied, message: 'a traffic split affects every tenant: this API key lacks scope admin' });
    // admin: any tenant.
    expect((await ops.getUsageReport({ tenant: 'globex' }, { headers: headers(KEYS.admin) })).result?.summary).toMatch(/tenant globex/);
    // no key at all.
    expect((await codeOf(ops.whoAmI({}))).code).toBe(Code.Unauthenticated);
    expect(await ops.whoAmI({}, { headers: headers(KEYS.acme) })).toMatchObject({ tenant: 'acme', scopes: ['chat', 'ops:write'] });
    const restDenied = await rest(KEYS.globex, 'POST', '/v1/ops/commands/usage.report', {});
    expect(restDenied.status).toBe(403);
  });

  it('bad input: empty, 100 KB, control characters, n of 0, future period, unknown plan — precise errors, nothing changed', async () => {
    const ops = connect();
    const h = { headers: headers(KEYS.acme) };
    expect(await codeOf(ops.runCommand({ text: '  ' }, h))).toEqual({ code: Code.InvalidArgument, message: 'text: must not be empty' });
    expect((await codeOf(ops.runCommand({ text: 'x'.repeat(100 * 1024) }, h))).message).toMatch(/^text: 102400 characters is too long/);
    expect(await codeOf(ops.runCommand({ text: 'show usage\u0000' }, h))).toEqual({ code: Code.InvalidArgument, message: 'text: must not contain control characters' });
    expect(await codeOf(ops.runCommand({ text: 'route the next 0 queries to gpu' }, h))).toEqual({ code: Code.InvalidArgument, message: 'n: must be at least 1' });
    expect((await codeOf(ops.getUsageReport({ from: '2999-01-01' }, h))).message).toMatch(/^from: the period starts in the future/);
    expect(await codeOf(ops.confirmPlan({ planId: 'plan_nope' }, h))).toEqual({ code: Code.NotFound, message: 'plan_id: no plan plan_nope' });
    const none = await ops.runCommand({ text: 'Write a haiku about GPUs' }, h);
    expect(none.outcome.case).toBe('notACommand');
    const overrides = await ops.listOverrides({}, h);
    expect(overrides.result?.summary).toBe('No routing overrides in force.');
  });
});

describe('rate limits through the operator API', () => {
  it('"limit tenant initech to 2 requests per minute": a plan (admin only), then exactly 2 chats a minute; SetRateLimits lifts it', async () => {
    const ops = connect();
    expect((await chat(KEYS.initech, 'one')).status).toBe(200);
    // A tenant's own key may not raise (or set) its limits.
    expect(await codeOf(grpc().setRateLimits({ tenant: 'acme', requestsPerMinute: 1000 }, { headers: headers(KEYS.acme) }))).toMatchObject({ code: Code.PermissionDenied, message: expect.stringContaining('needs scope admin') });
    const answer = await ops.runCommand({ text: 'limit tenant initech to 2 requests per minute' }, { headers: headers(KEYS.admin) });
    expect(answer.command).toMatchObject({ intent: 'ratelimits.set', args: { tenant: 'initech', requests_per_minute: 2 } });
    const plan = answer.outcome.case === 'plan' ? answer.outcome.value : undefined;
    expect(plan?.summary).toBe("Set tenant initech's limits (all its keys together) to 2 requests/min (was no limit, from none).");
    expect((await chat(KEYS.initech, 'two')).status).toBe(200);
    await ops.confirmPlan({ planId: plan!.id }, { headers: headers(KEYS.admin) });
    const shown = await grpc().getRateLimits({ tenant: 'initech' }, { headers: headers(KEYS.admin) });
    expect(shown.result?.summary).toBe('tenant initech: 2 requests/min in total, no limit per key (override).');
    // The bucket starts full at the new limit: two more, then 429 with Retry-After.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await chat(KEYS.initech, `after ${i}`)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const lift = await grpc().setRateLimits({ tenant: 'initech', requestsPerMinute: 0 }, { headers: headers(KEYS.admin) });
    expect(lift.plan?.summary).toContain('to no limit (was 2 requests/min, from override)');
    await grpc().confirmPlan({ planId: lift.plan!.id }, { headers: headers(KEYS.admin) });
    // Within the source's 1 s refresh the lifted limit is in force.
    let status = 429;
    for (let i = 0; i < 40 && status === 429; i++) {
      status = (await chat(KEYS.initech, `lifted ${i}`)).status;
      if (status === 429) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  });
});

describe('response cache savings in the ledger', () => {
  it('a cache hit is billed 0 and the savings report counts what it would have cost', async () => {
    const ask = () =>
      fetch(`${mesh.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...headers(KEYS.admin), 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Cache this answer, please.' }], temperature: 0, max_tokens: 16 }),
      });
    const first = await ask();
    type Answer = { sophia: { cost_usd: string; cache_hit: boolean; cache_saved_usd: string | null; backend: string; model: string } };
    const a = (await first.json()) as Answer;
    expect(first.headers.get('x-sophia-cache')).toBe('miss');
    const second = await ask();
    const b = (await second.json()) as Answer;
    expect(second.headers.get('x-sophia-cache')).toBe('hit');
    expect(Number(b.sophia.cost_usd)).toBe(0);
    expect(Number(a.sophia.cost_usd)).toBeGreaterThan(0);
    // The replay says it is one, what it saved, and which upstream call produced the text.
    expect(a.sophia).toMatchObject({ cache_hit: false, cache_saved_usd: null });
    expect(b.sophia).toMatchObject({ cache_hit: true, cache_saved_usd: a.sophia.cost_usd, backend: a.sophia.backend, model: a.sophia.model });
    const dashboard = createClient(DashboardService, createConnectTransport({ baseUrl: mesh.gatewayUrl, httpVersion: '1.1' }));
    // The hit is kept in the gateway's usage outbox before it is served and reaches the ledger just after: wait, bounded.
    let report;
    for (let i = 0; i < 50; i++) {
      report = (await dashboard.getSavingsReport({ tenant: 'platform' }, { headers: headers(KEYS.admin) })).report;
      if (report?.cacheHits === 1n) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(report?.cacheHits).toBe(1n);
    expect(Number(report?.savingsFromCache?.microUsd ?? 0n)).toBe(Math.round(Number(a.sophia.cost_usd) * 1e6));
    const ops = await connect().getSavingsReport({}, { headers: headers(KEYS.admin) });
    expect(ops.result?.summary).toMatch(/1 answer came from the response cache, saving \$/);
  });
});

// Admin RPCs and policy inputs through the handler, over in-memory fakes.
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { Backend, Role, Tier } from '@sophia/contracts/common';
import { InferenceService } from '@sophia/contracts/inference';
import { OverrideKind, OverrideSchema, OverrideScope } from '@sophia/contracts/router';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { createCapacityPoller } from './capacity-poller.ts';
import { parseRoutingPolicy } from './routing-policy.ts';
import { memoryOverrideStore, startFakeRouter } from './testing/fake-mesh.ts';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const valid = (extra: MessageInitShape<typeof OverrideSchema> = {}) =>
  create(OverrideSchema, { kind: OverrideKind.TIER, scope: OverrideScope.TENANT, scopeValue: 'acme', tier: Tier.COMPLEX, createdBy: 'ops', reason: 'launch week', ...extra });
const input = (extra: Record<string, unknown> = {}) => ({ tenant: 'acme', messages: [{ role: Role.USER, content: 'hi' }], ...extra });

async function codeOf(p: Promise<unknown>): Promise<{ code: Code; message: string }> {
  try {
    await p;
  } catch (err) {
    const ce = ConnectError.from(err);
    return { code: ce.code, message: ce.rawMessage };
  }
  throw new Error('expected an error');
}

describe('override admin RPCs', () => {
  it.each([
    [{ scope: OverrideScope.UNSPECIFIED }, 'override.scope: must be GLOBAL, TENANT, WORKLOAD or TIER'],
    [{ scopeValue: '' }, 'override.scope_value: required for scope TENANT (the tenant id)'],
    [{ scope: OverrideScope.GLOBAL }, 'override.scope_value: must be empty for scope GLOBAL'],
    [{ kind: OverrideKind.UNSPECIFIED }, 'override.kind: must be BACKEND, TIER or SPLIT'],
    [{ tier: Tier.UNSPECIFIED }, 'override.tier: required for kind TIER (SIMPLE, BALANCED or COMPLEX)'],
    [{ backend: Backend.GPU }, 'override.backend: must be unset for kind TIER'],
    [{ kind: OverrideKind.BACKEND }, 'override.backend: required for kind BACKEND (SERVERLESS or GPU)'],
    [{ remaining: 0 }, 'override.remaining: must be at least 1 (leave unset for unlimited)'],
    [{ expiresAt: timestampFromMs(Date.now() - 1000) }, 'override.expires_at: must be in the future'],
    [{ expiresAt: { seconds: 99_999_999_999_999n, nanos: 0 } }, 'override.expires_at: must be a time before the year 10000'],
    [{ expiresAt: { seconds: 253_402_300_800n, nanos: 0 } }, 'override.expires_at: must be a time before the year 10000'],
    [{ createdBy: ' ' }, 'override.created_by: required (who set it, for the audit log)'],
    [{ reason: '' }, 'override.reason: required (why, for the audit log)'],
    [{ id: 'mine' }, 'override.id: is assigned by the router; leave it empty'],
    [{ scope: OverrideScope.TIER, scopeValue: 'huge' }, 'override.scope_value: must be simple, balanced or complex for scope TIER'],
    [{ scope: OverrideScope.TIER, scopeValue: 'complex' }, 'override.scope: TIER scope cannot be used with kind TIER (the override would decide its own scope)'],
    [{ kind: OverrideKind.SPLIT, tier: Tier.UNSPECIFIED }, 'override.gpu_share: required for kind SPLIT, between 0 and 1'],
    [{ kind: OverrideKind.SPLIT, tier: Tier.UNSPECIFIED, gpuShare: 1.5 }, 'override.gpu_share: required for kind SPLIT, between 0 and 1'],
    [{ kind: OverrideKind.SPLIT, gpuShare: 0.3 }, 'override.tier: must be unset for kind SPLIT'],
    [{ gpuShare: 0.3 }, 'override.gpu_share: must be unset unless kind is SPLIT'],
  ])('SetOverride rejects %j naming the field', async (extra, message) => {
    const r = startFakeRouter();
    try {
      expect(await codeOf(r.router.setOverride({ override: valid(extra) }))).toEqual({ code: Code.InvalidArgument, message });
    } finally {
      r.close();
    }
  });

  it('sets, applies, lists and clears an override, writing an audit line for each change', async () => {
    const { logger, lines } = capturingLogger();
    const r = startFakeRouter({ logger, overrides: memoryOverrideStore() });
    try {
      const { override } = await r.router.setOverride({ override: valid({ expiresAt: timestampFromMs(Date.now() + 60_000) }) });
      const explained = await r.router.explain({ input: input() });
      expect(explained.decision?.tier).toBe(Tier.COMPLEX);
      expect(explained.decision?.reasons).toContain(`override_tier:complex:${override!.id}`);
      const other = await r.router.explain({ input: input({ tenant: 'other' }) });
      expect(other.decision?.tier).toBe(Tier.SIMPLE);
      const listed = await r.router.listOverrides({});
      expect(listed.shared).toBe(false);
      expect(listed.overrides.map((o) => o.id)).toEqual([override!.id]);
      expect(await r.router.clearOverride({ id: override!.id, clearedBy: 'ops', reason: 'over' })).toMatchObject({ cleared: true });
      expect(await r.router.clearOverride({ id: override!.id, clearedBy: 'ops', reason: 'again' })).toMatchObject({ cleared: false });
      expect(await codeOf(r.router.clearOverride({ id: override!.id, clearedBy: '' }))).toMatchObject({ code: Code.InvalidArgument, message: 'cleared_by: required (who cleared it, for the audit log)' });
      const audit = lines.filter((l) => typeof l['audit'] === 'string');
      expect(audit.map((l) => [l['audit'], l['by']])).toEqual([
        ['router.override.set', 'ops'],
        ['router.override.clear', 'ops'],
        ['router.override.clear', 'ops'],
      ]);
    } finally {
      r.close();
    }
  });

  it('sends set and clear to the durable audit sink', async () => {
    const entries: unknown[] = [];
    const r = startFakeRouter({ extra: { audit: (e) => entries.push(e) } });
    try {
      const { override } = await r.router.setOverride({ override: valid() });
      await r.router.clearOverride({ id: override!.id, clearedBy: 'lead', reason: 'rollback' });
      expect(entries).toEqual([
        expect.objectContaining({ actor: 'ops', action: 'router.override.set', subject: override!.id, details: expect.stringContaining('"tier":"complex"') }),
        { actor: 'lead', action: 'router.override.clear', subject: override!.id, details: JSON.stringify({ reason: 'rollback', cleared: true }) },
      ]);
    } finally {
      r.close();
    }
  });

  it('a counted override is used up exactly and logs its exhaustion', async () => {
    const { logger, lines } = capturingLogger();
    const r = startFakeRouter({ logger });
    try {
      await r.router.setOverride({ override: valid({ kind: OverrideKind.BACKEND, scope: OverrideScope.GLOBAL, scopeValue: '', tier: Tier.UNSPECIFIED, backend: Backend.GPU, remaining: 2 }) });
      const backends: Backend[] = [];
      for (let i = 0; i < 4; i++) {
        for await (const m of r.router.generate({ input: input({ requestId: `r${i}` }) })) if (m.event.case === 'decision') backends.push(m.event.value.backend);
      }
      expect(backends).toEqual([Backend.GPU, Backend.GPU, Backend.SERVERLESS, Backend.SERVERLESS]);
      expect(lines.filter((l) => l['audit'] === 'router.override.exhausted')).toHaveLength(1);
      expect(lines.filter((l) => l['msg'] === 'routing decision').map((l) => (l['reasons'] as string[])[0])).toEqual(['classified:simple', 'classified:simple', 'classified:simple', 'classified:simple']);
    } finally {
      r.close();
    }
  });
});

describe('policy inputs through the handler', () => {
  const policy = parseRoutingPolicy(`
version: 1
quality: { levels: { low: { target: 0.2, balanced: 0.8, complex: 0.9 }, high: { target: 0.8, balanced: 0.05, complex: 0.5 } } }
budget: { step_down_at_utilisation: 0.9 }
gpu_capacity: { prefer_idle_gpu_for: [simple] }
`);

  it('maps quality_target and rejects an unknown one as INVALID_ARGUMENT naming the field', async () => {
    const r = startFakeRouter({ extra: { policy: () => policy } });
    try {
      expect((await r.router.explain({ input: input({ qualityTarget: 'high' }) })).decision?.tier).toBe(Tier.BALANCED);
      expect(await codeOf(r.router.explain({ input: input({ qualityTarget: 'gold' }) }))).toEqual({
        code: Code.InvalidArgument,
        message: "input.quality_target: unknown quality level 'gold' (levels: low, high, or a number in [0, 1])",
      });
    } finally {
      r.close();
    }
  });

  it('steps a tenant near its budget down a tier, asking the headroom source only for that tenant', async () => {
    const asked: string[] = [];
    const r = startFakeRouter({
      extra: {
        policy: () => policy,
        headroom: { headroom: async (tenant) => (asked.push(tenant), { utilisation: 0.95 }) },
      },
    });
    try {
      const res = await r.router.explain({ input: input({ qualityTarget: 'high' }) });
      expect(res.decision?.tier).toBe(Tier.SIMPLE);
      expect(res.decision?.reasons).toEqual(expect.arrayContaining(['retiered:simple->balanced', 'budget_step_down:balanced->simple']));
      expect(asked).toEqual(['acme']);
    } finally {
      r.close();
    }
  });

  it('uses the polled GPU capacity (never fetched on the request path)', async () => {
    let waiting = 0;
    let capacityCalls = 0;
    const gpuAdmin = createClient(
      InferenceService,
      createRouterTransport(({ service }) =>
        service(InferenceService, {
          getCapacity: () => (capacityCalls++, { healthyEndpoints: 1, totalRunning: 0, totalWaiting: waiting }),
        }),
      ),
    );
    const poller = createCapacityPoller({ client: gpuAdmin, logger: pino({ level: 'silent' }) });
    const r = startFakeRouter({ extra: { policy: () => policy, capacity: () => poller.current() } });
    try {
      expect((await r.router.explain({ input: input() })).plan[0]).toMatch(/^serverless:/);
      await poller.pollOnce();
      const res = await r.router.explain({ input: input() });
      expect(res.plan[0]).toMatch(/^gpu:/);
      expect(res.decision?.reasons).toContain('gpu_idle');
      waiting = 3;
      await poller.pollOnce();
      expect((await r.router.explain({ input: input() })).plan[0]).toMatch(/^serverless:/);
      expect(capacityCalls).toBe(2);
    } finally {
      r.close();
    }
  });

  it('capacity snapshots go stale and poll failures keep the last one until then', async () => {
    let now = 1000;
    let fail = false;
    const gpuAdmin = createClient(
      InferenceService,
      createRouterTransport(({ service }) =>
        service(InferenceService, {
          getCapacity: () => {
            if (fail) throw new ConnectError('down', Code.Unavailable);
            return { healthyEndpoints: 1, totalRunning: 2, totalWaiting: 1 };
          },
        }),
      ),
    );
    const poller = createCapacityPoller({ client: gpuAdmin, logger: pino({ level: 'silent' }), staleAfterMs: 5000, clock: () => now });
    await poller.pollOnce();
    expect(poller.current()).toMatchObject({ totalRunning: 2, totalWaiting: 1, at: 1000 });
    fail = true;
    now = 5000;
    await poller.pollOnce();
    expect(poller.current()?.at).toBe(1000);
    now = 6001;
    expect(poller.current()).toBeUndefined();
  });
});

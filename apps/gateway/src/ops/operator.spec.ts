import { Code, ConnectError, createRouterTransport } from '@connectrpc/connect';
import { LedgerService } from '@sophia/contracts/ledger';
import { RouterService } from '@sophia/contracts/router';
import type { Caller, Scope } from '../api-key-scopes.ts';
import { codeOf, operatorUnderTest } from './operator-under-test.ts';

const caller = (tenant: string, ...scopes: Scope[]): Caller => ({ tenant, scopes: new Set(scopes), keyId: `k-${tenant}` });

/** An operator over fake router/ledger services, the real SQLite plan store and a clock the test moves. */
function setup(options: { failSetOverride?: number } = {}) {
  let now = Date.UTC(2026, 11, 9, 10);
  let failures = options.failSetOverride ?? 0;
  const overrides: unknown[] = [];
  const audits: Array<{ action: string; details: string }> = [];
  const transport = createRouterTransport(({ service }) => {
    service(RouterService, {
      setOverride(req) {
        if (failures-- > 0) throw new ConnectError('router unavailable', Code.Unavailable);
        overrides.push(req.override);
        const override = req.override!;
        override.id = `ovr_${overrides.length}`;
        return { override };
      },
    });
    service(LedgerService, {
      getUsageReport: () => ({ rows: [] }),
      appendAudit(req) {
        audits.push({ action: req.action, details: req.details });
        return { auditId: `aud_${audits.length}` };
      },
    });
  });
  const { operator, close } = operatorUnderTest(transport, () => now);
  return { operator, overrides, audits, advance: (ms: number) => (now += ms), close };
}

describe('operator plans', () => {
  it('a write changes nothing until confirmed; confirming applies once and audits who, what and the plan', async () => {
    const t = setup();
    const acme = caller('acme', 'ops:write');
    const out = await t.operator.execute(acme, 'route.next', { n: 10, backend: 'gpu' });
    if (out.kind !== 'plan') throw new Error('expected a plan');
    expect(t.overrides).toEqual([]);
    expect(out.plan.costEffect).toMatch(/^no estimate/);
    const applied = await t.operator.confirm(acme, out.plan.id);
    expect(applied.result?.summary).toMatch(/^Override ovr_1 set: backend gpu for tenant acme, 10 left/);
    expect(t.overrides).toHaveLength(1);
    expect(t.audits).toEqual([{ action: 'ops.route.next', details: expect.stringContaining(`"plan_id":"${out.plan.id}"`) }]);
    expect(await codeOf(t.operator.confirm(acme, out.plan.id))).toMatchObject({ code: Code.FailedPrecondition, message: expect.stringMatching(/was already applied .* by acme \(key k-acme\) \(audit aud_1\)/) });
    expect(t.overrides).toHaveLength(1);
    t.close();
  });

  it('an expired plan is refused and nothing changes', async () => {
    const t = setup();
    const acme = caller('acme', 'ops:write');
    const out = await t.operator.execute(acme, 'route.next', { n: 5, backend: 'serverless' });
    if (out.kind !== 'plan') throw new Error('expected a plan');
    t.advance(600_000);
    expect(await codeOf(t.operator.confirm(acme, out.plan.id))).toEqual({ code: Code.FailedPrecondition, message: expect.stringMatching(/^plan_id: plan \S+ expired at 2026-12-09T10:10:00.000Z without being applied; nothing changed/) });
    expect(t.overrides).toEqual([]);
    t.close();
  });

  it("another tenant cannot see or confirm a plan (NOT_FOUND, as for an unknown id); an admin can", async () => {
    const t = setup();
    const out = await t.operator.execute(caller('acme', 'ops:write'), 'route.next', { n: 5, backend: 'gpu' });
    if (out.kind !== 'plan') throw new Error('expected a plan');
    expect(await codeOf(t.operator.confirm(caller('globex', 'ops:write'), out.plan.id))).toEqual({ code: Code.NotFound, message: `plan_id: no plan ${out.plan.id}` });
    expect(await codeOf(t.operator.confirm(caller('acme', 'ops:read'), out.plan.id))).toEqual({ code: Code.PermissionDenied, message: 'this API key lacks scope ops:write' });
    expect((await t.operator.getPlan(caller('platform', 'admin'), out.plan.id)).id).toBe(out.plan.id);
    t.close();
  });

  it('a failed apply leaves the plan pending, so a retry applies it once', async () => {
    const t = setup({ failSetOverride: 1 });
    const acme = caller('acme', 'ops:write');
    const out = await t.operator.execute(acme, 'route.next', { n: 5, backend: 'gpu' });
    if (out.kind !== 'plan') throw new Error('expected a plan');
    expect((await codeOf(t.operator.confirm(acme, out.plan.id))).code).toBe(Code.Unavailable);
    expect((await t.operator.confirm(acme, out.plan.id)).plan?.auditId).toBe('aud_1');
    expect(t.overrides).toHaveLength(1);
    t.close();
  });

  it('typed requests are validated by the command schema, naming the field', async () => {
    const t = setup();
    const acme = caller('acme', 'ops:write');
    expect(await codeOf(t.operator.execute(acme, 'route.next', { n: 0, backend: 'gpu' }))).toEqual({ code: Code.InvalidArgument, message: 'n: must be at least 1' });
    expect(await codeOf(t.operator.execute(acme, 'budget.set', { amount_usd: -1 }))).toEqual({ code: Code.InvalidArgument, message: 'amount_usd: must not be negative' });
    expect(await codeOf(t.operator.execute(acme, 'usage.report', { from: '2027-01-01' }))).toEqual({ code: Code.InvalidArgument, message: 'from: the period starts in the future (2027-01-01; today is 2026-12-09)' });
    expect(await codeOf(t.operator.execute(acme, 'route.next', { n: 3 }))).toEqual({ code: Code.InvalidArgument, message: 'backend: required (gpu or serverless)' });
    t.close();
  });
});

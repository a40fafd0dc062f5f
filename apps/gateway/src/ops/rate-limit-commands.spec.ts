import { Code, createRouterTransport } from '@connectrpc/connect';
import { LedgerService } from '@sophia/contracts/ledger';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import type { Caller, Scope } from '../api-key-scopes.ts';
import { createRateLimitSource } from '../rate-limit/rate-limit-source.ts';
import { createSqliteRateLimitStore, RATE_LIMIT_STORE_SCHEMA } from '../rate-limit/rate-limit-store.ts';
import type { TenantRateLimits } from '../rate-limit/rate-limits.ts';
import { codeOf, operatorUnderTest } from './operator-under-test.ts';

const caller = (tenant: string, ...scopes: Scope[]): Caller => ({ tenant, scopes: new Set(scopes), keyId: `k-${tenant}` });
const admin = caller('ops', 'ops:read', 'ops:write', 'admin');

/** The operator over a fake ledger (audit) and the real SQLite limits store, config as given. */
function setup(config: ReadonlyMap<string, TenantRateLimits>) {
  const audits: Array<{ action: string; subject: string }> = [];
  const transport = createRouterTransport(({ service }) => {
    service(LedgerService, {
      appendAudit(req) {
        audits.push({ action: req.action, subject: req.subject });
        return { auditId: `aud_${audits.length}` };
      },
    });
  });
  const state = memoryStateDatabase(RATE_LIMIT_STORE_SCHEMA);
  // refreshMs 0: each read sees the store (another replica's view after its cache expired).
  const replica = () => createRateLimitSource({ config, store: createSqliteRateLimitStore(state.db), refreshMs: 0 });
  const rateLimits = replica();
  const { operator, close } = operatorUnderTest(transport, () => Date.UTC(2026, 11, 9, 10), { rateLimits });
  return { operator, rateLimits, other: replica(), audits, close: () => (close(), state.close()) };
}

const CONFIG = new Map<string, TenantRateLimits>([
  ['acme', { tenant: { requestsPerMinute: 100 }, perKey: { requestsPerMinute: 20 } }],
  ['*', { tenant: { requestsPerMinute: 50 }, perKey: {} }],
]);

describe('ratelimits.set / ratelimits.show (operator API)', () => {
  it('plans a change without applying it; confirming sets the override every replica reads, merged with what was in force, and audits it', async () => {
    const t = setup(CONFIG);
    try {
      const out = await t.operator.execute(admin, 'ratelimits.set', { tenant: 'acme', requests_per_minute: 600, concurrent_requests: 20 });
      if (out.kind !== 'plan') throw new Error('expected a plan');
      expect(out.plan.summary).toBe("Set tenant acme's limits (all its keys together) to 600 requests/min, 20 concurrent (was 100 requests/min, from config).");
      expect(await t.other.limitsFor('acme')).toEqual(CONFIG.get('acme'));
      const applied = await t.operator.confirm(admin, out.plan.id);
      expect(applied.result?.summary).toBe("Tenant acme's rate limits: 600 requests/min, 20 concurrent in total, 20 requests/min per key.");
      expect(await t.other.limitsFor('acme')).toEqual({ tenant: { requestsPerMinute: 600, tokensPerMinute: undefined, concurrentRequests: 20 }, perKey: { requestsPerMinute: 20 } });
      expect(t.audits).toEqual([{ action: 'ops.ratelimits.set', subject: expect.any(String) }]);
      // Per key, 0 lifts a limit; the tenant's limits stay.
      const perKey = await t.operator.execute(admin, 'ratelimits.set', { tenant: 'acme', scope: 'per_key', requests_per_minute: 0, tokens_per_minute: 5000 });
      if (perKey.kind !== 'plan') throw new Error('expected a plan');
      await t.operator.confirm(admin, perKey.plan.id);
      const now = await t.other.limitsFor('acme');
      expect(now.perKey).toEqual({ requestsPerMinute: undefined, tokensPerMinute: 5000, concurrentRequests: undefined });
      expect(now.tenant.requestsPerMinute).toBe(600);
    } finally {
      t.close();
    }
  });

  it('shows a tenant its own limits and an admin every tenant, with where each comes from', async () => {
    const t = setup(CONFIG);
    try {
      const own = await t.operator.execute(caller('globex', 'ops:read'), 'ratelimits.show', {});
      if (own.kind !== 'result') throw new Error('expected a result');
      expect(own.result.summary).toBe('tenant globex: 50 requests/min in total, no limit per key (config "*").');
      await t.rateLimits.setOverride('initech', { tenant: { concurrentRequests: 3 }, perKey: {} });
      const all = await t.operator.execute(admin, 'ratelimits.show', {});
      if (all.kind !== 'result') throw new Error('expected a result');
      expect(all.result.table?.columns).toEqual(['tenant', 'scope', 'requests_per_minute', 'tokens_per_minute', 'concurrent_requests', 'source']);
      expect(all.result.summary).toContain('tenant initech: 3 concurrent in total, no limit per key (override)');
      expect(all.result.summary).toContain('tenant acme: 100 requests/min in total, 20 requests/min per key (config)');
      expect(await codeOf(t.operator.execute(caller('globex', 'ops:read'), 'ratelimits.show', { tenant: 'acme' }))).toMatchObject({ code: Code.PermissionDenied, message: expect.stringContaining('tenant: this API key belongs to tenant globex') });
    } finally {
      t.close();
    }
  });

  it('refuses a tenant raising its own limits, a change naming no limit, and a negative limit — each naming the problem', async () => {
    const t = setup(CONFIG);
    try {
      expect(await codeOf(t.operator.execute(caller('acme', 'ops:read', 'ops:write'), 'ratelimits.set', { requests_per_minute: 10_000 }))).toMatchObject({ code: Code.PermissionDenied, message: expect.stringContaining('needs scope admin') });
      expect(await codeOf(t.operator.execute(admin, 'ratelimits.set', { tenant: 'acme' }))).toMatchObject({ code: Code.InvalidArgument, message: expect.stringMatching(/^requests_per_minute: required/) });
      expect(await codeOf(t.operator.execute(admin, 'ratelimits.set', { tenant: 'acme', tokens_per_minute: -5 }))).toMatchObject({ code: Code.InvalidArgument, message: expect.stringMatching(/^tokens_per_minute: must not be negative/) });
      expect(await t.other.limitsFor('acme')).toEqual(CONFIG.get('acme'));
    } finally {
      t.close();
    }
  });
});

import { Code, ConnectError, createClient, createRouterTransport, type Client, type ServiceImpl } from '@connectrpc/connect';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { pino } from 'pino';
import { Role } from '@sophia/contracts/common';
import { DashboardService } from '@sophia/contracts/dashboard';
import { Dimension, LedgerService, type GetUsageReportRequest } from '@sophia/contracts/ledger';
import { BreakerState, RouterService, type RouteInput } from '@sophia/contracts/router';
import { createApiKeyAuth } from './api-key-auth.ts';
import { createDashboardServiceHandler } from './dashboard-service-handler.ts';
import { createLiveTraffic, type LiveTraffic } from './live-traffic.ts';
import { createFakeRouter } from './testing/fake-router.ts';

const KEYS = { chat: 'k-chat', read: 'k-read', admin: 'k-admin' };

function setup(options: { ledger?: boolean } = {}): { client: Client<typeof DashboardService>; usageCalls: GetUsageReportRequest[]; explained: RouteInput[]; traffic: LiveTraffic } {
  const usageCalls: GetUsageReportRequest[] = [];
  const explained: RouteInput[] = [];
  const ledgerImpl: Partial<ServiceImpl<typeof LedgerService>> = {
    getUsageReport(req) {
      usageCalls.push(req);
      return { groupBy: req.groupBy, total: { requests: 3n, cost: { microUsd: 1234n } } };
    },
    budgetStatus(req) {
      return { budgets: [{ scope: { tenant: req.tenant }, utilisation: 0.5 }], maxUtilisation: 0.5 };
    },
  };
  const fake = createFakeRouter();
  const router = createClient(
    RouterService,
    createRouterTransport(({ service }) =>
      service(RouterService, {
        ...fake.impl,
        explain(req) {
          explained.push(req.input!);
          return { decision: { model: 'llama-3.1-8b' }, plan: ['serverless:llama'] };
        },
        getBreakers() {
          return {
            breakers: [{ target: 'serverless:llama', state: BreakerState.OPEN }],
            transitions: [{ target: 'serverless:llama', from: BreakerState.CLOSED, to: BreakerState.OPEN, at: { seconds: 1_799_999_990n, nanos: 0 } }],
          };
        },
      }),
    ),
  );
  const ledger = options.ledger === false ? undefined : createClient(LedgerService, createRouterTransport(({ service }) => service(LedgerService, ledgerImpl)));
  // One fixed instant for the recorder and the handler: a request that ended this very millisecond must count.
  const now = () => 1_800_000_000_000;
  const traffic = createLiveTraffic({ now });
  const auth = createApiKeyAuth([
    { key: KEYS.chat, tenant: 'acme' },
    { key: KEYS.read, tenant: 'acme', scopes: ['ops:read'] },
    { key: KEYS.admin, tenant: 'ops', scopes: ['admin'] },
  ]);
  const handler = createDashboardServiceHandler({ auth, router, ledger, traffic, logger: pino({ level: 'silent' }), now });
  const client = createClient(DashboardService, createRouterTransport(({ service }) => service(DashboardService, handler)));
  return { client, usageCalls, explained, traffic };
}

const as = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

async function codeOf(p: Promise<unknown>): Promise<[Code, string]> {
  try {
    await p;
  } catch (err) {
    const e = ConnectError.from(err);
    return [e.code, e.rawMessage];
  }
  throw new Error('expected a failure');
}

describe('DashboardService', () => {
  it('refuses a missing key and a key without ops:read, naming the scope', async () => {
    const { client } = setup();
    expect((await codeOf(client.getUsageReport({})))[0]).toBe(Code.Unauthenticated);
    expect(await codeOf(client.getUsageReport({}, as(KEYS.chat)))).toEqual([Code.PermissionDenied, expect.stringContaining('ops:read')]);
  });

  it("passes the ledger's report through for the caller's own tenant; another tenant needs admin; admin may read everyone", async () => {
    const { client, usageCalls } = setup();
    const res = await client.getUsageReport({ groupBy: [Dimension.DAY, Dimension.MODEL], start: timestampFromMs(0) }, as(KEYS.read));
    expect(res.tenant).toBe('acme');
    expect(res.report?.total?.cost?.microUsd).toBe(1234n);
    expect(usageCalls[0]).toMatchObject({ tenant: 'acme', groupBy: [Dimension.DAY, Dimension.MODEL] });
    expect(await codeOf(client.getUsageReport({ tenant: 'globex' }, as(KEYS.read)))).toEqual([Code.PermissionDenied, expect.stringContaining('tenant')]);
    expect((await client.getUsageReport({}, as(KEYS.admin))).tenant).toBe('');
    expect(usageCalls[1]?.tenant).toBe('');
    expect((await client.getBudgets({}, as(KEYS.read))).status?.budgets[0]?.scope?.tenant).toBe('acme');
  });

  it('names the bad field of a request', async () => {
    const { client } = setup();
    expect(await codeOf(client.getUsageReport({ start: timestampFromMs(2000), end: timestampFromMs(1000) }, as(KEYS.read)))).toEqual([Code.InvalidArgument, 'end: must be after start']);
    expect(await codeOf(client.getUsageReport({ groupBy: [Dimension.DAY, Dimension.DAY] }, as(KEYS.read)))).toEqual([Code.InvalidArgument, 'group_by[1]: DAY appears twice']);
    expect(await codeOf(client.getUsageReport({ groupBy: [Dimension.UNSPECIFIED] }, as(KEYS.read)))).toEqual([Code.InvalidArgument, expect.stringMatching(/^group_by\[0\]/)]);
    expect(await codeOf(client.explainRoute({}, as(KEYS.read)))).toEqual([Code.InvalidArgument, expect.stringContaining('input')]);
    const stream = client.watchLive({ intervalMs: 10 }, as(KEYS.read));
    expect(await codeOf((async () => { for await (const _ of stream) void _; })())).toEqual([Code.InvalidArgument, 'interval_ms: must be between 1000 and 60000, got 10']);
  });

  it('answers UNAVAILABLE naming SOPHIA_LEDGER_ADDR when the gateway has no ledger', async () => {
    const { client } = setup({ ledger: false });
    expect(await codeOf(client.getSavingsReport({}, as(KEYS.read)))).toEqual([Code.Unavailable, expect.stringContaining('SOPHIA_LEDGER_ADDR')]);
  });

  it("explains a prompt with the router's dry run for the caller's tenant", async () => {
    const { client, explained } = setup();
    const res = await client.explainRoute({ input: { model: 'auto', messages: [{ role: Role.USER, content: 'Prove Fermat' }] } }, as(KEYS.read));
    expect(res.explanation?.decision?.model).toBe('llama-3.1-8b');
    expect(explained[0]).toMatchObject({ tenant: 'acme', model: '' });
  });

  it('streams live snapshots: traffic figures, requests in flight, the breakers', async () => {
    const { client, traffic } = setup();
    traffic.begin().end('ok', true);
    traffic.begin().end('error', false);
    traffic.begin();
    const controller = new AbortController();
    const stream = client.watchLive({ intervalMs: 1000, windowMs: 60_000 }, { ...as(KEYS.read), signal: controller.signal });
    for await (const snap of stream) {
      expect(snap.current).toMatchObject({ requests: 2n, errors: 1n, fallbacks: 1n, windowMs: 60_000 });
      expect(snap.series).toHaveLength(60);
      expect(snap.series.reduce((n, w) => n + w.requests, 0n)).toBe(2n);
      expect(snap.inFlight).toBe(1);
      expect(snap.breakers.map((b) => [b.target, b.state])).toEqual([['serverless:llama', BreakerState.OPEN]]);
      expect(snap.breakerTransitions.map((t) => [t.target, t.from, t.to, t.at?.seconds])).toEqual([['serverless:llama', BreakerState.CLOSED, BreakerState.OPEN, 1_799_999_990n]]);
      expect(snap.gpuCapacity).toBeUndefined();
      expect(snap.problems).toEqual([]);
      break;
    }
    controller.abort();
  });
});

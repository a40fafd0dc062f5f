import { create } from '@bufbuild/protobuf';
import { createClient, createRouterTransport, type Client, type ServiceImpl } from '@connectrpc/connect';
import { LedgerService, QueryUsageResponseSchema, UsageRowSchema, type UsageRow } from '@sophia/contracts/ledger';
import { SqlService } from '@sophia/contracts/sql';
import { baseConfigSchema, createLogger, loadConfig, type StartedService } from '@sophia/platform';
import { sqlConfigSchema } from './sql-config.ts';
import { startSql } from './start-sql.ts';

const logger = createLogger({ service: 'sql-test', level: 'silent' });
const config = loadConfig(baseConfigSchema.extend(sqlConfigSchema.shape), { env: { SOPHIA_SQL_USAGE_MAX_AGE_MS: '5000' } });
const NOW = new Date('2026-11-26T15:00:00Z');

type Row = [tenant: string, model: string, day: string, requests: number, costMicroUsd: number];
const usageRow = ([tenant, model, day, requests, cost]: Row): UsageRow => create(UsageRowSchema, {
  keys: [tenant, model, 'serverless', 'small', 'chat', day],
  requests: BigInt(requests),
  promptTokens: BigInt(requests * 100),
  completionTokens: BigInt(requests * 10),
  cost: { microUsd: BigInt(cost) },
});

describe('usage questions answered from the ledger (QueryUsage mirror, in-memory transports)', () => {
  let rows: Row[] = [];
  let ledgerDown = false;
  let started: StartedService;
  let sql: Client<typeof SqlService>;
  beforeAll(async () => {
    const ledgerImpl: Partial<ServiceImpl<typeof LedgerService>> = {
      queryUsage(req) {
        if (ledgerDown) throw new Error('ledger unavailable');
        expect(req.groupBy).toHaveLength(6);
        return create(QueryUsageResponseSchema, { groupBy: req.groupBy, rows: rows.map(usageRow) });
      },
    };
    const ledger = createClient(LedgerService, createRouterTransport(({ service }) => service(LedgerService, ledgerImpl)));
    // Each reading of the clock is 6 s later: every question finds the mirror stale (the test changes the ledger's rows).
    let t = 0;
    started = await startSql({ config, logger, ledger, clock: () => NOW, now: () => (t += 6000) });
    const impl = started.services[0]!.impl as ServiceImpl<typeof SqlService>;
    sql = createClient(SqlService, createRouterTransport(({ service }) => service(SqlService, impl)));
  });
  afterAll(() => started.close?.());
  const ask = async (question: string, headers: Record<string, string>): Promise<unknown[][]> => {
    const out: unknown[][] = [];
    for await (const m of sql.execute({ query: { case: 'question', value: question }, scope: 'usage' }, { headers })) {
      if (m.event.case === 'rows') out.push(...m.event.value.rows.map((r) => r.values.map((v) => v.kind.value)));
    }
    return out;
  };
  const acme = { 'x-sophia-tenant': 'acme', 'x-sophia-scopes': 'chat' };
  const admin = { 'x-sophia-tenant': 'ops', 'x-sophia-scopes': 'admin' };

  it("answers 'usage by tenant for this week' with the caller's real rows, refreshed as traffic arrives", async () => {
    rows = [['acme', 'small-8b', '2026-11-24', 3, 3000], ['globex', 'large-70b', '2026-11-25', 5, 900_000]];
    expect(await ask('Show usage by tenant for this week', acme)).toEqual([['acme', 3n, 330n, 0.003]]);
    expect(await ask('Show usage by tenant for this week', admin)).toEqual([['globex', 5n, 550n, 0.9], ['acme', 3n, 330n, 0.003]]);
    rows = [...rows, ['acme', 'small-8b', '2026-11-26', 2, 2000]];
    expect(await ask('Show usage by tenant for this week', acme)).toEqual([['acme', 5n, 550n, 0.005]]);
  });

  it('keeps the last copy when the ledger stops answering', async () => {
    ledgerDown = true;
    expect(await ask('Show usage by tenant for this week', acme)).toEqual([['acme', 5n, 550n, 0.005]]);
    ledgerDown = false;
  });
});

describe('usage mirror before the ledger ever answered', () => {
  it('fails the statement naming the ledger', async () => {
    const ledger = { queryUsage: async () => Promise.reject(new Error('connection refused')) };
    const started = await startSql({ config, logger, ledger, clock: () => NOW });
    try {
      const impl = started.services[0]!.impl as ServiceImpl<typeof SqlService>;
      const sql = createClient(SqlService, createRouterTransport(({ service }) => service(SqlService, impl)));
      const run = async (): Promise<void> => {
        for await (const m of sql.execute({ query: { case: 'question', value: 'Show usage by tenant for this week' }, scope: 'usage' }, { headers: { 'x-sophia-tenant': 'acme' } })) void m;
      };
      await expect(run()).rejects.toMatchObject({ rawMessage: "sql: usage: the ledger's usage could not be read: connection refused" });
    } finally {
      await started.close?.();
    }
  });
});
